package io.segmenttransfer.http;

import java.util.Optional;

/**
 * One byte range of a {@code Range} header (RFC 9110, section 14.1.2) as the client wrote it,
 * before the size of the object is known: {@code bytes=N-} (from N to the end), {@code bytes=N-M}
 * (N to M inclusive) or {@code bytes=-K} (the last K bytes).
 *
 * @param first the first byte asked for, or {@link #SUFFIX} for {@code bytes=-K}
 * @param last the last byte asked for (inclusive), {@link #TO_END} for {@code bytes=N-}, or K for
 *     {@code bytes=-K}
 */
public record ByteRange(long first, long last) {

  /** {@link #first()} of a suffix range {@code bytes=-K}. */
  public static final long SUFFIX = -1;

  /** {@link #last()} of an open range {@code bytes=N-}. */
  public static final long TO_END = -1;

  private static final String BYTES = "bytes=";

  public ByteRange {
    boolean valid = first == SUFFIX ? last >= 0 : first >= 0 && (last == TO_END || last >= first);
    if (!valid) {
      throw new IllegalArgumentException("not a byte range: " + first + "-" + last);
    }
  }

  /**
   * The one range a header asks for; empty when there is none to honour: no header, another unit,
   * several ranges, or a malformed one. Empty means "serve the whole object with 200", which RFC
   * 9110 allows for any Range header a server does not use; only a well-formed range that misses
   * the object is answered 416 (see {@link #slice(long)}).
   */
  public static Optional<ByteRange> parse(String header) {
    if (header == null) {
      return Optional.empty();
    }
    String value = header.strip();
    // The unit is case-insensitive; "bytes" is the only one there is.
    if (!value.regionMatches(true, 0, BYTES, 0, BYTES.length())) {
      return Optional.empty();
    }
    String spec = value.substring(BYTES.length()).strip();
    int dash = spec.indexOf('-');
    if (dash < 0 || spec.indexOf(',') >= 0) {
      return Optional.empty();
    }
    String from = spec.substring(0, dash).strip();
    String to = spec.substring(dash + 1).strip();
    if (from.isEmpty()) {
      return number(to).map(count -> new ByteRange(SUFFIX, count));
    }
    Optional<Long> start = number(from);
    if (start.isEmpty()) {
      return Optional.empty();
    }
    if (to.isEmpty()) {
      return Optional.of(new ByteRange(start.get(), TO_END));
    }
    // N-M with M < N is invalid, not unsatisfiable: ignored like any malformed range.
    return number(to).filter(end -> end >= start.get()).map(end -> new ByteRange(start.get(), end));
  }

  /** Digits only: {@code Long.parseLong} would also take signs ({@code bytes=+5-}). */
  private static Optional<Long> number(String digits) {
    if (digits.isEmpty() || digits.length() > 18) {
      return Optional.empty();
    }
    for (int i = 0; i < digits.length(); i++) {
      if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
        return Optional.empty();
      }
    }
    return Optional.of(Long.parseLong(digits));
  }

  /** Whether this is {@code bytes=N-}, the form a download resumes with. */
  public boolean isToEnd() {
    return first != SUFFIX && last == TO_END;
  }

  /**
   * The bytes of an object of {@code size} this range selects; empty when it selects none, which is
   * answered 416 with {@link #unsatisfiable(long)}: a start at or past the end, a suffix of zero
   * bytes, or any range of an empty object. An end past the object is cut to its last byte and a
   * suffix longer than the object is the whole object, as RFC 9110 says.
   */
  public Optional<Slice> slice(long size) {
    if (size <= 0) {
      return Optional.empty();
    }
    if (first == SUFFIX) {
      return last == 0
          ? Optional.empty()
          : Optional.of(new Slice(Math.max(0, size - last), size - 1, size));
    }
    if (first >= size) {
      return Optional.empty();
    }
    return Optional.of(
        new Slice(first, last == TO_END ? size - 1 : Math.min(last, size - 1), size));
  }

  /** {@code Content-Range} of a 416 answer: {@code bytes *}{@code /size}. */
  public static String unsatisfiable(long size) {
    return "bytes */" + size;
  }

  @Override
  public String toString() {
    return BYTES
        + (first == SUFFIX
            ? "-" + last
            : first + "-" + (last == TO_END ? "" : Long.toString(last)));
  }

  /**
   * The bytes {@code start} to {@code end} (inclusive) of an object of {@code size}, as a 206
   * answer serves them.
   */
  public record Slice(long start, long end, long size) {

    public Slice {
      if (start < 0 || end < start || end >= size) {
        throw new IllegalArgumentException(
            "not a slice of " + size + " bytes: " + start + "-" + end);
      }
    }

    public long length() {
      return end - start + 1;
    }

    /** {@code Content-Range} of the 206 answer: {@code bytes start-end/size}. */
    public String contentRange() {
      return "bytes " + start + "-" + end + "/" + size;
    }
  }
}
