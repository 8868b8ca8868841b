package io.segmenttransfer.core.archive.codec;

import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.stream.ByteTransform;
import java.nio.ByteBuffer;

/**
 * The {@link ByteTransform} lifecycle every codec here shares, so each one keeps only its format:
 * the offer / end-of-input protocol, the first failure (remembered, because a stream that went
 * wrong once must not look usable again to a caller that swallowed the exception), closing once,
 * and the byte counters.
 *
 * <p>Input is the caller's current chunk, kept by reference in {@link #input} and read by the
 * subclass as it goes, so nothing is copied on the way in. Codecs that cannot read the caller's
 * buffer directly (zstd-jni takes only direct buffers) override {@link #accept}, {@link
 * #inputDrained} and {@link #bytesIn} to stage it through a {@link NativeInput} instead.
 */
abstract class StreamingTransform implements ByteTransform {

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  /** Named in every failure and in the closed message. */
  final String subject;

  /** What this is, for the closed message ("gzip decoder"). */
  private final String kind;

  /** The caller's current chunk; what is still in it is not consumed yet. */
  ByteBuffer input = EMPTY;

  /** Bytes offered so far, consumed or not. */
  private long offered;

  private long bytesOut;
  private boolean ended;
  private boolean closed;
  private InvalidArchiveException failure;

  StreamingTransform(String kind, String subject) {
    this.kind = kind;
    this.subject = subject;
  }

  @Override
  public final void offer(ByteBuffer chunk) {
    checkUsable();
    if (ended) {
      throw new IllegalStateException("offer() after endOfInput()");
    }
    accept(chunk);
  }

  /** Takes {@code chunk} as the current input; called once the transform is known to be usable. */
  void accept(ByteBuffer chunk) {
    // The same buffer object may come back refilled: the caller may reuse it once it was consumed.
    if (chunk != input && input.hasRemaining()) {
      throw new IllegalStateException("offer() before the previous input was consumed");
    }
    offered += chunk.remaining();
    input = chunk;
  }

  /** True when every byte offered so far has been consumed. */
  boolean inputDrained() {
    return !input.hasRemaining();
  }

  @Override
  public final boolean needsInput() {
    return !ended && !closed && failure == null && inputDrained();
  }

  @Override
  public void endOfInput() {
    ended = true;
  }

  final boolean ended() {
    return ended;
  }

  @Override
  public long bytesIn() {
    return offered - input.remaining();
  }

  @Override
  public final long bytesOut() {
    return bytesOut;
  }

  /** Adds what one {@code read} produced to {@link #bytesOut()}. */
  final void countOut(int produced) {
    bytesOut += produced;
  }

  @Override
  public final void close() {
    if (!closed) {
      closed = true;
      release();
      // Keep the consumed count for bytesIn() but let go of the caller's chunk.
      offered -= input.remaining();
      input = EMPTY;
    }
  }

  /** Frees the codec's native contexts and buffers; called once, by the first {@link #close()}. */
  abstract void release();

  /** Throws the remembered failure, or {@link IllegalStateException} once closed. */
  final void checkUsable() {
    if (failure != null) {
      throw failure;
    }
    if (closed) {
      throw new IllegalStateException(kind + " for " + subject + " is closed");
    }
  }

  /** Remembers a failure raised elsewhere (a pool task) for later calls, and returns it. */
  final InvalidArchiveException fail(InvalidArchiveException raised) {
    failure = raised;
    return failure;
  }

  /** Remembers the failure for later calls and returns it for the caller to throw. */
  final InvalidArchiveException fail(String message) {
    return fail(message, null);
  }

  /** Remembers the failure for later calls and returns it for the caller to throw. */
  final InvalidArchiveException fail(String message, Throwable cause) {
    failure = new InvalidArchiveException(subject, message, cause);
    return failure;
  }
}
