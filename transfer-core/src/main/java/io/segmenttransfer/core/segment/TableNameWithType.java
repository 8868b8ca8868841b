package io.segmenttransfer.core.segment;

import io.segmenttransfer.core.error.InvalidRequestException;
import java.util.regex.Pattern;

/**
 * A Pinot table name with its type suffix, {@code <raw>_OFFLINE} or {@code <raw>_REALTIME}. It
 * names a directory under the data dir, so it is validated like a path component.
 */
public record TableNameWithType(String rawName, TableType type) {

  public enum TableType {
    OFFLINE,
    REALTIME
  }

  private static final Pattern RAW_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]*");

  public TableNameWithType {
    SafeName.check("raw table name", rawName);
    if (!RAW_NAME.matcher(rawName).matches()) {
      throw new InvalidRequestException(null, "invalid raw table name '" + rawName + "'");
    }
    if (type == null) {
      throw new InvalidRequestException(null, "table " + rawName + " has no type");
    }
  }

  /**
   * Parses {@code events_OFFLINE}; anything without the {@code _OFFLINE}/{@code _REALTIME} suffix
   * is refused.
   */
  public static TableNameWithType parse(String nameWithType) {
    if (nameWithType != null) {
      for (TableType type : TableType.values()) {
        String suffix = "_" + type.name();
        if (nameWithType.endsWith(suffix) && nameWithType.length() > suffix.length()) {
          return new TableNameWithType(
              nameWithType.substring(0, nameWithType.length() - suffix.length()), type);
        }
      }
    }
    throw new InvalidRequestException(
        null,
        "invalid table name '" + nameWithType + "': expected <raw>_OFFLINE or <raw>_REALTIME");
  }

  @Override
  public String toString() {
    return rawName + "_" + type.name();
  }
}
