package io.segmenttransfer.core.extract;

import io.segmenttransfer.core.segment.SegmentCrc;

/**
 * A regular file written by an extraction: path relative to the segment directory, size, Adler-32.
 */
public record ExtractedFile(String path, long size, long adler32)
    implements SegmentCrc.FileChecksum {}
