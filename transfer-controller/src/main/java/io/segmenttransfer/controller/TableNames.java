package io.segmenttransfer.controller;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.segment.TableNameWithType.TableType;
import java.util.List;
import java.util.Locale;

/**
 * Pinot's table-name conventions in request paths: a name may be raw ({@code events}, meaning both
 * types unless a type parameter narrows it) or carry its type ({@code events_OFFLINE}).
 */
final class TableNames {

  private TableNames() {}

  /** The tables a request names, OFFLINE before REALTIME. */
  static List<TableNameWithType> resolve(String name, String typeParam) {
    TableType type = parseType(typeParam);
    for (TableType t : TableType.values()) {
      if (name.endsWith("_" + t.name())) {
        TableNameWithType table = TableNameWithType.parse(name);
        if (type != null && type != t) {
          throw new InvalidRequestException(null, "table " + name + " is not of type " + type);
        }
        return List.of(table);
      }
    }
    if (type != null) {
      return List.of(new TableNameWithType(name, type));
    }
    return List.of(
        new TableNameWithType(name, TableType.OFFLINE),
        new TableNameWithType(name, TableType.REALTIME));
  }

  /** The raw name of a raw or typed name. */
  static String raw(String name) {
    return resolve(name, null).get(0).rawName();
  }

  private static TableType parseType(String type) {
    if (type == null || type.isBlank()) {
      return null;
    }
    try {
      return TableType.valueOf(type.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(
          null, "table type '" + type + "' is not OFFLINE or REALTIME");
    }
  }
}
