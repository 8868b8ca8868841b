package io.segmenttransfer.core.segment;

import io.segmenttransfer.core.error.InvalidRequestException;

/**
 * A segment of a table. The segment name becomes a directory name, so path separators, {@code ..}
 * and control characters are refused here, once, before anything touches the disk.
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

  /** Throws {@link InvalidRequestException} unless the name is safe as one directory name. */
  public static String validateSegmentName(String segmentName) {
    if (segmentName == null || segmentName.isEmpty()) {
      throw new InvalidRequestException(null, "segment name is empty");
    }
    if (segmentName.equals(".")
        || segmentName.contains("..")
        || segmentName.indexOf('/') >= 0
        || segmentName.indexOf('\\') >= 0) {
      throw new InvalidRequestException(
          segmentName, "invalid segment name: path separators and '..' are not allowed");
    }
    for (int i = 0; i < segmentName.length(); i++) {
      if (Character.isISOControl(segmentName.charAt(i))) {
        throw new InvalidRequestException(segmentName, "invalid segment name: control character");
      }
    }
    if (segmentName.length() > 255) {
      throw new InvalidRequestException(
          segmentName, "invalid segment name: longer than 255 characters");
    }
    return segmentName;
  }

  @Override
  public String toString() {
    return table + "/" + segmentName;
  }
}
