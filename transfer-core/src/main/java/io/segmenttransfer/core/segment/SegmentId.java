package io.segmenttransfer.core.segment;

import io.segmenttransfer.core.error.InvalidRequestException;

/**
 * A segment of a table. The segment name becomes a directory name, so it is checked by {@link
 * SafeName} here, once, before anything touches the disk.
 */
public record SegmentId(TableNameWithType table, String segmentName) {

  public SegmentId {
    if (table == null) {
      throw new InvalidRequestException(segmentName, "segment has no table");
    }
    validateSegmentName(segmentName);
  }

  public static SegmentId of(String tableNameWithType, String segmentName) {
    return new SegmentId(TableNameWithType.parse(tableNameWithType), segmentName);
  }

  /**
   * Throws {@link InvalidRequestException} unless the name is safe as one directory name ({@link
   * SafeName}).
   */
  public static String validateSegmentName(String segmentName) {
    return SafeName.check("segment name", segmentName);
  }

  @Override
  public String toString() {
    return table + "/" + segmentName;
  }
}
