package io.segmenttransfer.core.testing;

import java.util.List;

/**
 * Names that try to leave a directory, as a client puts them into a URL path segment or a query
 * value (already escaped): raw and percent-encoded dots and separators, double-encoded forms, NUL
 * and other control characters, and an overlong UTF-8 encoding of a dot. Every route that takes a
 * name must refuse each of them without touching a file.
 */
public final class HostileNames {

  /** As they are sent in a URL: path segment or query value. */
  public static final List<String> IN_URL =
      List.of(
          "..",
          ".",
          "%2e%2e",
          "%2E%2E",
          ".%2e",
          "%2e.",
          "..%2F..%2Fsecret",
          "%2e%2e%2f%2e%2e%2fsecret",
          "a%2Fb",
          "a%5Cb",
          "..%5C..%5Csecret",
          "%00",
          "a%00b",
          "a%0Ab",
          "a%0D%0Ab",
          "%7F",
          "%252e%252e",
          "%252F",
          "%25252e%25252e",
          "%c0%ae%c0%ae",
          "%2e%2e%00");

  /** The same names once decoded, as a route sees them (the overlong form is not UTF-8 at all). */
  public static final List<String> DECODED =
      List.of(
          "..",
          ".",
          "../../secret",
          "a/b",
          "a\\b",
          "..\\..\\secret",
          "\0",
          "a\0b",
          "a\nb",
          "a\r\nb",
          "\u007f",
          "%2e%2e",
          "%2F",
          "%252e%252e",
          "..\0",
          "");

  private HostileNames() {}
}
