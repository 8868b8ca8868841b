package io.segmenttransfer.server.quickstart;

import io.segmenttransfer.core.segment.SegmentId;
import java.nio.file.Path;

/**
 * A segment directory as a realtime server built it, before it is committed: no archive.
 *
 * @param crc the segment CRC written into {@code creation.meta}
 * @param bytes the size of the segment's files together
 * @param rows the rows it holds, which is also the stream offset it ends at when its partition
 *     started at 0
 */
public record BuiltSegment(SegmentId segment, Path directory, long crc, long bytes, long rows) {}
