package io.segmenttransfer.controller.completion;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.segment.TableNameWithType.TableType;

/**
 * Pinot's name for a consuming (LLC) segment: {@code
 * <rawTable>__<partitionGroupId>__<sequenceNumber>__<creationTime>}, e.g. {@code
 * events__0__3__20261206T1200Z}, of the table {@code <rawTable>_REALTIME}.
 */
record LlcSegmentName(
    String rawTable, int partitionGroupId, int sequenceNumber, String creationTime) {

  static final String SEPARATOR = "__";

  /** Parses a name; anything else is an {@link InvalidRequestException} naming it. */
  static LlcSegmentName parse(String name) {
    String[] parts = name == null ? new String[0] : name.split(SEPARATOR, -1);
    if (parts.length != 4 || parts[0].isEmpty() || parts[3].isEmpty()) {
      throw new InvalidRequestException(
          name,
          "'"
              + name
              + "' is not an LLC segment name <rawTable>__<partitionGroupId>__<sequenceNumber>__<creationTime>");
    }
    try {
      int partition = Integer.parseInt(parts[1]);
      int sequence = Integer.parseInt(parts[2]);
      if (partition < 0 || sequence < 0) {
        throw new NumberFormatException("negative");
      }
      return new LlcSegmentName(parts[0], partition, sequence, parts[3]);
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(
          name,
          "LLC segment name '"
              + name
              + "' needs a non-negative partition group id and sequence number");
    }
  }

  TableNameWithType table() {
    return new TableNameWithType(rawTable, TableType.REALTIME);
  }

  /**
   * How the name of the segment before this one in the same partition group starts (its creation
   * time is its own), or null for the first.
   */
  String previousPrefix() {
    return sequenceNumber == 0
        ? null
        : String.join(
            SEPARATOR,
            rawTable,
            Integer.toString(partitionGroupId),
            Integer.toString(sequenceNumber - 1),
            "");
  }

  SegmentId id() {
    return new SegmentId(table(), toString());
  }

  @Override
  public String toString() {
    return String.join(
        SEPARATOR,
        rawTable,
        Integer.toString(partitionGroupId),
        Integer.toString(sequenceNumber),
        creationTime);
  }
}
