package io.segmenttransfer.core.segment;

import io.segmenttransfer.core.error.InvalidRequestException;

/**
 * The one rule for a name that becomes a single path component (a table, segment, schema or
 * instance name, and every path parameter of every HTTP route): not empty, at most 255 characters,
 * not {@code .}, no {@code ..}, no {@code /} or {@code \}, no control character, no U+FFFD (bytes
 * that were not UTF-8), and no percent-escape of any of these or of {@code %} itself. Routes decode
 * a parameter exactly once, so an escape still present after that ({@code %2F}, {@code %2e%2e},
 * {@code %00}, a double-encoded {@code %252F}) is refused too: a later layer that decodes again (a
 * proxy, a URL built from the name) cannot turn it into a separator.
 */
public final class SafeName {

  /** Longer names do not fit a file name on common file systems. */
  public static final int MAX_LENGTH = 255;

  private SafeName() {}

  /**
   * Returns {@code value} when it is safe as one path component.
   *
   * @param what names the value in the error ("segment name", "path parameter tableName")
   * @throws InvalidRequestException naming {@code what} and the offending value otherwise
   */
  public static String check(String what, String value) {
    String problem = problem(value);
    if (problem != null) {
      throw new InvalidRequestException(
          null, "invalid " + what + " '" + printable(value) + "': " + problem);
    }
    return value;
  }

  /** Whether {@link #check} accepts {@code value}. */
  public static boolean isSafe(String value) {
    return problem(value) == null;
  }

  private static String problem(String value) {
    if (value == null || value.isEmpty()) {
      return "empty";
    }
    if (value.length() > MAX_LENGTH) {
      return "longer than " + MAX_LENGTH + " characters";
    }
    if (value.equals(".") || value.contains("..")) {
      return "'.' and '..' are not allowed";
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '/' || c == '\\') {
        return "path separators are not allowed";
      }
      if (Character.isISOControl(c)) {
        return "control characters are not allowed";
      }
      if (c == '\uFFFD') {
        // What a lenient decoder (QueryStringDecoder) puts in place of bytes that are not UTF-8.
        return "not valid UTF-8";
      }
      if (c == '%' && i + 2 < value.length()) {
        int high = Character.digit(value.charAt(i + 1), 16);
        int low = Character.digit(value.charAt(i + 2), 16);
        if (high >= 0 && low >= 0 && forbiddenEscape(high << 4 | low)) {
          return "percent-encoded separator, dot, control character or '%' is not allowed";
        }
      }
    }
    return null;
  }

  private static boolean forbiddenEscape(int b) {
    return b == '/' || b == '\\' || b == '.' || b == '%' || b < 0x20 || b == 0x7F;
  }

  /** The value as it can go into a one-line message: control characters shown escaped. */
  private static String printable(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(Math.min(value.length(), 80));
    for (int i = 0; i < value.length() && i < 80; i++) {
      char c = value.charAt(i);
      out.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : c);
    }
    return value.length() > 80 ? out + "..." : out.toString();
  }
}
