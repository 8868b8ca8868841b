package io.segmenttransfer.core.stream;

import java.nio.ByteBuffer;

/**
 * A streaming byte transformation (decrypt, encrypt, decompress, compress) driven by its caller:
 * the caller offers input chunks as the transform asks for them and drains output into buffers the
 * caller owns. Output is produced only into the caller's buffers, so memory in flight is what the
 * caller allocates, whatever the stream's size or compression ratio.
 *
 * <p>The drive loop:
 *
 * <pre>{@code
 * for each chunk:  t.offer(chunk); while ((n = t.read(dst)) != 0) { if (n < 0) break; ...drain dst... }
 * at the end:      t.endOfInput(); while ((n = t.read(dst)) >= 0) { ...drain dst... }
 * }</pre>
 *
 * <p>Not thread-safe: one thread at a time drives it. Failures are thrown as the project's {@code
 * SegmentTransferException}s ({@code InvalidArchiveException} for corrupt, truncated or trailing
 * data; {@code CrypterException} for failed authentication) naming the subject given at
 * construction.
 */
public interface ByteTransform extends AutoCloseable {

  /**
   * Hands over the next input chunk. Allowed only when {@link #needsInput()}. The transform reads
   * from the buffer's position to its limit (advancing the position) and may keep a reference to it
   * until it is consumed, so the caller must not modify it before {@code needsInput()} is true
   * again.
   */
  void offer(ByteBuffer input);

  /** True when all offered input has been consumed and more may be offered. */
  boolean needsInput();

  /** Signals that no more input will be offered. */
  void endOfInput();

  /**
   * Writes transformed bytes into {@code dst}, from its position up to its limit.
   *
   * @return the number of bytes written, greater than zero; 0 when {@code dst} has no room or the
   *     transform needs more input (then {@link #needsInput()} is true and {@link #endOfInput()}
   *     has not been called); -1 once input has ended and the whole stream was produced and
   *     verified (trailers, checksums, authentication tags)
   */
  int read(ByteBuffer dst);

  /** Input bytes consumed so far. */
  long bytesIn();

  /** Output bytes produced so far. */
  long bytesOut();

  /** Releases native memory and contexts. Idempotent; safe after a failure and mid-stream. */
  @Override
  void close();
}
