package io.segmenttransfer.core.local;

import io.segmenttransfer.core.segment.CreationMeta;
import io.segmenttransfer.core.segment.SegmentId;
import java.nio.file.Path;

/** A segment in service on this server: where it is and its {@code creation.meta} (CRC, creation time). */
public record LocalSegment(SegmentId segment, Path directory, CreationMeta creationMeta) {

  public long crc() {
    return creationMeta.crc();
  }
}
