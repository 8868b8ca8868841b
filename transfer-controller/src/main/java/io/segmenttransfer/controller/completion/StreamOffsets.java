package io.segmenttransfer.controller.completion;

import java.math.BigInteger;
import java.util.Comparator;

/**
 * Orders stream offsets as Pinot's {@code StreamPartitionMsgOffset} does for Kafka-style streams:
 * numerically when both are decimal numbers ({@code "9"} before {@code "10"}), otherwise as text,
 * so opaque offsets of other streams still compare equal exactly when they are the same.
 */
final class StreamOffsets {

  static final Comparator<String> ORDER = StreamOffsets::compare;

  private StreamOffsets() {}

  static int compare(String a, String b) {
    BigInteger x = number(a);
    BigInteger y = number(b);
    return x != null && y != null ? x.compareTo(y) : a.compareTo(b);
  }

  static boolean same(String a, String b) {
    return a != null && b != null && compare(a, b) == 0;
  }

  private static BigInteger number(String offset) {
    if (offset.isEmpty() || offset.length() > 40) {
      return null;
    }
    for (int i = 0; i < offset.length(); i++) {
      if (offset.charAt(i) < '0' || offset.charAt(i) > '9') {
        return null;
      }
    }
    return new BigInteger(offset);
  }
}
