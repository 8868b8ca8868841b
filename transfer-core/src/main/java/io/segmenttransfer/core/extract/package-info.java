/**
 * The extraction pipeline: SegmentExtractor (the entry point) takes an archive as a Flux of
 * buffers and an ExtractionRequest, and decrypts, decompresses and untars it into a staging
 * directory, verifying the segment CRC as bytes flow, then swaps it into place. It is bounded by
 * ExtractionConfig; it knows nothing about where the bytes come from (see core.transfer).
 */
@NullMarked
package io.segmenttransfer.core.extract;

import org.jspecify.annotations.NullMarked;
