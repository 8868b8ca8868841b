/**
 * The extraction pipeline: SegmentExtractor (the entry point) takes an archive as a Flux of buffers
 * and an ExtractionRequest, and decrypts, decompresses and untars it into a staging directory,
 * verifying the segment CRC as bytes flow, then swaps it into place. It is bounded by
 * ExtractionConfig; it knows nothing about where the bytes come from (see core.transfer).
 * ArchiveEntriesReader runs the same decoder and limits without writing, for callers that only want
 * a few entries out of an archive (the controller's tar push).
 */
@NullMarked
package io.segmenttransfer.core.extract;

import org.jspecify.annotations.NullMarked;
