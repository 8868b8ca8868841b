package io.segmenttransfer.core.crypto;

import com.google.crypto.tink.StreamingAead;
import io.segmenttransfer.core.error.CrypterException;
import io.segmenttransfer.core.stream.ByteTransform;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.security.GeneralSecurityException;

/**
 * Decrypts with Tink's public channel API, driven by the caller instead of a thread.
 *
 * <p>Tink pulls ciphertext from a {@link ReadableByteChannel}; here that channel is {@link
 * OfferedInput}, which serves the chunk the caller offered, returns 0 when it is used up (a
 * non-blocking channel with nothing ready) and -1 after {@link #endOfInput()}. Tink's decrypting
 * channel (subtle {@code StreamingAeadDecryptingChannel}, checked in 1.18.0) stops filling its
 * segment buffer when its source returns 0 and itself returns 0 until a whole segment plus one byte
 * (or the end) arrived; the keyset-level wrapper ({@code ReadableByteChannelDecrypter}) likewise
 * returns 0 while it cannot yet tell which key matches. So the public API works without threads and
 * without a blocking pipe, and there is no reason to reach for Tink's {@code subtle} segment
 * classes.
 *
 * <p>Memory: this class copies nothing and holds only the offered chunk. Tink holds one ciphertext
 * segment (plus one byte) and one plaintext segment, and, until the first segment identified the
 * key, a rewind buffer of that first segment (see {@link #read(ByteBuffer)}).
 */
final class TinkDecryptingTransform implements ByteTransform {

  /**
   * Reads that consume nothing while input remains or has ended. After {@link #endOfInput()} Tink
   * can answer once with 0 before it looks at the channel's -1 (when the stream ends inside the
   * header); more idle reads than this would mean a loop that never ends, so they fail instead.
   */
  private static final int MAX_IDLE_READS = 4;

  private final String subject;

  /** Stands for "no input"; per instance, as Tink and this class may touch its position. */
  private final ByteBuffer empty = ByteBuffer.allocate(0);

  private final OfferedInput input = new OfferedInput();
  private ReadableByteChannel plaintext;
  private CrypterException failure;
  private boolean finished;
  private long bytesOut;

  TinkDecryptingTransform(StreamingAead aead, byte[] associatedData, String subject) {
    this.subject = subject;
    try {
      // Reads nothing yet: the header is read on the first read().
      this.plaintext = aead.newDecryptingChannel(input, associatedData);
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      throw TinkStreamingCrypter.failure(subject, true, e);
    }
  }

  @Override
  public void offer(ByteBuffer chunk) {
    if (input.ended) {
      throw new IllegalStateException("offer() after endOfInput()");
    }
    if (input.chunk.hasRemaining()) {
      throw new IllegalStateException("offer() before the previous input was consumed");
    }
    input.chunk = chunk.hasRemaining() ? chunk : empty;
  }

  @Override
  public boolean needsInput() {
    return !input.ended && !input.chunk.hasRemaining() && failure == null;
  }

  @Override
  public void endOfInput() {
    input.ended = true;
  }

  @Override
  public int read(ByteBuffer dst) {
    if (failure != null) {
      throw failure;
    }
    if (finished) {
      return -1;
    }
    if (plaintext == null) {
      throw new IllegalStateException("read() after close()");
    }
    if (!dst.hasRemaining()) {
      return 0;
    }
    int idleReads = 0;
    while (true) {
      long consumedBefore = input.bytesIn;
      // Until a first plaintext byte proves which key matches, Tink's keyset wrapper keeps every
      // ciphertext byte it pulls so it can rewind and try the next key, and its first read
      // decrypts as many segments as dst has room for (a failure in any of them then reads as "no
      // matching key"). One byte of room makes that first read stop after the first segment.
      ByteBuffer target = bytesOut == 0 && dst.remaining() > 1 ? dst.slice(dst.position(), 1) : dst;
      int n;
      try {
        n = plaintext.read(target);
        if (n > 0 && target != dst) {
          dst.position(dst.position() + n);
        }
      } catch (IOException | RuntimeException e) {
        failure = TinkStreamingCrypter.failure(subject, true, e);
        throw failure;
      }
      if (n > 0) {
        bytesOut += n;
        return n;
      }
      if (n < 0) {
        finished = true;
        return -1;
      }
      if (!input.ended && !input.chunk.hasRemaining()) {
        return 0;
      }
      // Input remains or has ended: Tink must make progress on the next call.
      if (input.bytesIn == consumedBefore && ++idleReads > MAX_IDLE_READS) {
        failure =
            new CrypterException(subject, "Tink decryptor made no progress on available input");
        throw failure;
      }
    }
  }

  @Override
  public long bytesIn() {
    return input.bytesIn;
  }

  @Override
  public long bytesOut() {
    return bytesOut;
  }

  @Override
  public void close() {
    // Tink's channel holds only heap buffers; dropping the references releases them. Closing it
    // would only close OfferedInput, which has nothing to release.
    plaintext = null;
    input.chunk = empty;
  }

  /** The non-blocking ciphertext source Tink pulls from. */
  private final class OfferedInput implements ReadableByteChannel {
    private ByteBuffer chunk = empty;
    private boolean ended;
    private long bytesIn;

    @Override
    public int read(ByteBuffer dst) {
      if (!chunk.hasRemaining()) {
        return ended ? -1 : 0;
      }
      int n = Math.min(chunk.remaining(), dst.remaining());
      dst.put(chunk.slice(chunk.position(), n));
      chunk.position(chunk.position() + n);
      bytesIn += n;
      if (!chunk.hasRemaining()) {
        // Let go of a consumed chunk at once: the caller may refill and offer the same buffer.
        chunk = empty;
      }
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
