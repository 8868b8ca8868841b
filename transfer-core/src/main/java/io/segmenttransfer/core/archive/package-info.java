/**
 * Segment archives: Codec detects and names the compression, TarDecoder parses a tar stream
 * incrementally into TarEntryListener calls (refusing unsafe paths and entry types under
 * ArchiveLimits), and SegmentArchives/SegmentArchiveProducer build a deterministic archive of a
 * segment directory (level and layout from ArchiveOptions: the parallel layouts by default) with an
 * optional ArchiveTap; SmallFileCollector keeps selected small files of a tar stream in memory. The
 * codecs themselves are in the codec subpackage; no I/O to stores and no HTTP here.
 */
@NullMarked
package io.segmenttransfer.core.archive;

import org.jspecify.annotations.NullMarked;
