package io.segmenttransfer.server.quickstart;

import io.segmenttransfer.core.segment.SegmentId;
import java.nio.file.Path;

/**
 * A generated segment on disk: its directory in Pinot's v3 layout and its archive.
 *
 * @param crc the segment CRC written into {@code creation.meta}
 * @param bytes the size of the segment's files together
 * @param archiveBytes the size of the {@code .tar.gz} archive
 */
public record SampleSegment(
    SegmentId segment, Path directory, Path archive, long crc, long bytes, long archiveBytes) {}
