package io.segmenttransfer.controller.api;

import io.segmenttransfer.core.segment.SegmentMetadata;
import java.util.List;

/**
 * What one server should hold: every segment assigned to it, with the segment's current metadata. A
 * server diffs two assignments to find new segments, refreshed ones (another {@code segment.crc})
 * and removed ones.
 *
 * @param version grows with every change to this instance's assignment or to the metadata of a
 *     segment in it; survives controller restarts
 * @param segments the assigned segments, sorted by table then segment name
 */
public record Assignment(long version, List<SegmentMetadata> segments) {
  public Assignment {
    segments = List.copyOf(segments);
  }
}
