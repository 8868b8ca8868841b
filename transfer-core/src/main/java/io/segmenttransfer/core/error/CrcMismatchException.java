package io.segmenttransfer.core.error;

/** The CRC computed from the extracted bytes differs from the expected or recorded one. */
public final class CrcMismatchException extends SegmentTransferException {
  private final long expected;
  private final long actual;

  public CrcMismatchException(String subject, String what, long expected, long actual) {
    super(subject, what + " CRC " + expected + " does not match computed CRC " + actual, null);
    this.expected = expected;
    this.actual = actual;
  }

  public long expected() {
    return expected;
  }

  public long actual() {
    return actual;
  }
}
