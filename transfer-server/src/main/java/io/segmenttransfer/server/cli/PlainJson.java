package io.segmenttransfer.server.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Map;

/**
 * The JSON a one-shot command prints for a summary made of plain values (strings, numbers,
 * booleans, enums, maps, lists and records of them), written as Jackson's default {@code
 * ObjectMapper} writes it (record components in order, nulls included, the same escapes), without
 * Jackson: building an {@code ObjectMapper} and its serializers loaded about 500 classes, and its
 * date format the JDK's locale providers, after the segment was already in place (profiled: about a
 * tenth of a fresh {@code extract --json}'s class loading). {@code PlainJsonTest} holds it to
 * Jackson's output.
 */
final class PlainJson {

  private PlainJson() {}

  /**
   * {@code value} as one line of JSON.
   *
   * @throws IllegalArgumentException for a value of another kind (a summary that holds one goes
   *     through Jackson instead)
   */
  static String of(Record value) {
    StringBuilder out = new StringBuilder(512);
    write(value, out);
    return out.toString();
  }

  private static void write(Object value, StringBuilder out) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof CharSequence text) {
      string(text, out);
    } else if (value instanceof Boolean
        || value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte) {
      out.append(value);
    } else if (value instanceof Double d) {
      number(d, Double.isFinite(d), out);
    } else if (value instanceof Float f) {
      number(f, Float.isFinite(f), out);
    } else if (value instanceof Enum<?> e) {
      string(e.name(), out);
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        string(String.valueOf(entry.getKey()), out);
        out.append(':');
        write(entry.getValue(), out);
      }
      out.append('}');
    } else if (value instanceof Collection<?> list) {
      out.append('[');
      boolean first = true;
      for (Object element : list) {
        if (!first) {
          out.append(',');
        }
        first = false;
        write(element, out);
      }
      out.append(']');
    } else if (value instanceof Record record) {
      record(record, out);
    } else {
      throw new IllegalArgumentException(
          "no plain JSON for a " + value.getClass().getName() + " value");
    }
  }

  private static void record(Record record, StringBuilder out) {
    out.append('{');
    RecordComponent[] components = record.getClass().getRecordComponents();
    for (int i = 0; i < components.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      string(components[i].getName(), out);
      out.append(':');
      Object value;
      try {
        value = components[i].getAccessor().invoke(record);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalArgumentException(
            "cannot read " + record.getClass().getSimpleName() + "." + components[i].getName(), e);
      }
      write(value, out);
    }
    out.append('}');
  }

  /** Finite numbers as Java prints them; NaN and the infinities as strings, as Jackson does. */
  private static void number(Number number, boolean finite, StringBuilder out) {
    if (finite) {
      out.append(number);
    } else {
      string(number.toString(), out);
    }
  }

  /**
   * Jackson's escapes: quote, backslash, the short forms of five controls, else {@code \\u00XX}.
   */
  private static void string(CharSequence text, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04X", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
