package io.segmenttransfer.core.crypto;

import com.google.crypto.tink.StreamingAead;
import io.segmenttransfer.core.error.CrypterException;
import io.segmenttransfer.core.stream.ByteTransform;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.security.GeneralSecurityException;

/**
 * Encrypts with Tink's public channel API, driven by the caller instead of a thread.
 *
 * <p>Tink pushes ciphertext into a {@link WritableByteChannel}; here that channel is {@link
 * CiphertextBuffer}, a buffer of one ciphertext segment that {@link #read(ByteBuffer)} drains. Tink
 * is only called when that buffer is empty, and its encrypting channel copes with a channel that
 * takes fewer bytes than offered: it keeps the rest of the segment and accepts no more plaintext
 * until the segment is written. Its {@code close()} is the exception (it insists on writing
 * everything), so close is only called once a {@code write} of nothing into the empty buffer has
 * flushed what Tink still held and that ciphertext was drained; the final segment then fits.
 *
 * <p>Memory: the buffer here (one segment), plus Tink's plaintext and ciphertext segment buffers.
 */
final class TinkEncryptingTransform implements ByteTransform {

  /** Stands for "no input"; per instance, as Tink and this class may touch its position. */
  private final ByteBuffer nothing = ByteBuffer.allocate(0);

  private final String subject;
  private final CiphertextBuffer ciphertext;
  private WritableByteChannel plaintext;
  private ByteBuffer input = nothing;
  private boolean ended;
  private boolean closedTink;
  private CrypterException failure;
  private long bytesIn;
  private long bytesOut;

  TinkEncryptingTransform(
      StreamingAead aead, byte[] associatedData, int ciphertextSegmentSize, String subject) {
    this.subject = subject;
    this.ciphertext = new CiphertextBuffer(ciphertextSegmentSize);
    try {
      // Writes the stream header into the (empty) ciphertext buffer.
      this.plaintext = aead.newEncryptingChannel(ciphertext, associatedData);
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      throw TinkStreamingCrypter.failure(subject, false, e);
    }
  }

  @Override
  public void offer(ByteBuffer chunk) {
    if (ended) {
      throw new IllegalStateException("offer() after endOfInput()");
    }
    if (input.hasRemaining()) {
      throw new IllegalStateException("offer() before the previous input was consumed");
    }
    input = chunk.hasRemaining() ? chunk : nothing;
  }

  @Override
  public boolean needsInput() {
    return !ended && !input.hasRemaining() && failure == null;
  }

  @Override
  public void endOfInput() {
    ended = true;
  }

  @Override
  public int read(ByteBuffer dst) {
    if (failure != null) {
      throw failure;
    }
    if (plaintext == null) {
      throw new IllegalStateException("read() after close()");
    }
    if (!dst.hasRemaining()) {
      return ciphertext.isEmpty() && closedTink ? -1 : 0;
    }
    try {
      while (true) {
        if (!ciphertext.isEmpty()) {
          int n = ciphertext.drainTo(dst);
          bytesOut += n;
          return n;
        }
        if (closedTink) {
          return -1;
        }
        if (input.hasRemaining()) {
          // Either takes plaintext or fills the buffer: each turn of the loop makes progress.
          bytesIn += plaintext.write(input);
          if (!input.hasRemaining()) {
            // Let go of a consumed chunk at once: the caller may refill and offer the same buffer.
            input = nothing;
          }
          continue;
        }
        // Flush a segment Tink could not hand over earlier.
        plaintext.write(nothing);
        if (!ciphertext.isEmpty()) {
          continue;
        }
        if (!ended) {
          return 0;
        }
        // Tink holds no ciphertext now, so the final segment fits the empty buffer.
        plaintext.close();
        closedTink = true;
      }
    } catch (IOException | RuntimeException e) {
      failure = TinkStreamingCrypter.failure(subject, false, e);
      throw failure;
    }
  }

  @Override
  public long bytesIn() {
    return bytesIn;
  }

  @Override
  public long bytesOut() {
    return bytesOut;
  }

  /** Capacity of this transform's own ciphertext buffer: one ciphertext segment. */
  int ciphertextBufferCapacity() {
    return ciphertext.buffer.capacity();
  }

  /** The most ciphertext this transform's own buffer ever held at once. */
  int ciphertextBufferHighWater() {
    return ciphertext.highWater;
  }

  @Override
  public void close() {
    // Not plaintext.close(): mid-stream that would encrypt a final segment nobody wants. Tink's
    // buffers are on the heap; dropping the references releases them.
    plaintext = null;
    input = nothing;
  }

  /**
   * The channel Tink writes ciphertext into: a fixed buffer filled at {@code writeIndex} and
   * drained from {@code readIndex}, reset when empty, so draining into 1-byte buffers never
   * compacts a whole segment.
   */
  private static final class CiphertextBuffer implements WritableByteChannel {
    private final ByteBuffer buffer;
    private int readIndex;
    private int writeIndex;
    private int highWater;

    CiphertextBuffer(int capacity) {
      this.buffer = ByteBuffer.allocate(capacity);
    }

    boolean isEmpty() {
      return readIndex == writeIndex;
    }

    int drainTo(ByteBuffer dst) {
      int n = Math.min(writeIndex - readIndex, dst.remaining());
      dst.put(buffer.slice(readIndex, n));
      readIndex += n;
      if (readIndex == writeIndex) {
        readIndex = 0;
        writeIndex = 0;
      }
      return n;
    }

    @Override
    public int write(ByteBuffer src) {
      int n = Math.min(src.remaining(), buffer.capacity() - writeIndex);
      buffer.put(writeIndex, src, src.position(), n);
      src.position(src.position() + n);
      writeIndex += n;
      highWater = Math.max(highWater, writeIndex - readIndex);
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
