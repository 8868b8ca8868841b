package io.segmenttransfer.core.extract;

import io.segmenttransfer.core.archive.ArchiveLimits;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.TarDecoder;
import io.segmenttransfer.core.archive.TarEntryListener;
import io.segmenttransfer.core.archive.codec.Codecs;
import io.segmenttransfer.core.archive.codec.ParallelSettings;
import io.segmenttransfer.core.error.ArchiveLimitExceededException;
import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.store.ReadBuffers;
import io.segmenttransfer.core.stream.ByteTransform;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * The decoder stage of the pipeline: archive chunks in, {@link WriteBatch}es out. Decrypts, detects
 * the codec from magic bytes, decompresses into pooled buffers and parses tar headers.
 *
 * <p>Output is produced lazily: {@link #decode} returns an iterable whose iterator fills the next
 * buffer only when asked, so Reactor's demand reaches into the decompressor and one small chunk of
 * a highly compressed archive cannot flood memory.
 *
 * <p>Single-threaded by contract (Reactor serialises the drain loop), but {@link #close()} may come
 * from a cancelling thread, hence the lock.
 */
final class ArchiveDecoder implements AutoCloseable {

  private enum Fill {
    FULL,
    NEED_INPUT,
    END
  }

  /** Marks the end of the plaintext stream in {@link #nextPlaintext()}. */
  private static final ByteBuffer END = ByteBuffer.allocate(0);

  private final String subject;
  private final ArchiveLimits limits;
  private final @Nullable ParallelSettings parallel;
  private final BufferPool pool;

  /**
   * Where archive chunks go once consumed, for the store to refill (the pipeline lent them to its
   * source, see {@link ReadBuffers}); null when nobody takes them back.
   */
  private final @Nullable ReadBuffers readBuffers;

  /** Null for the no-op crypter: archive chunks then go straight to the decompressor, uncopied. */
  private final ByteTransform decryptor;

  private final ByteBuffer plaintext;
  private final ByteBuffer head = ByteBuffer.allocate(Codec.SNIFF_BYTES);
  private final TarDecoder tar;
  private final EntryCollector entries = new EntryCollector();

  private ByteTransform decompressor;
  private Codec codec;

  /** Plaintext left over after sniffing, offered to the decompressor before anything newer. */
  private ByteBuffer carry;

  private ByteBuffer pendingInput;

  /**
   * The last two archive chunks offered to the decryptor or decompressor: they may still read them.
   */
  private final ArrayDeque<ByteBuffer> offered = new ArrayDeque<>(3);

  /** Consumed chunks waiting until {@link #offered} no longer holds them. */
  private final ArrayList<ByteBuffer> retired = new ArrayList<>(4);

  private ByteBuffer buffer;
  private boolean inputEnded;
  private boolean decryptorToldEnd;
  private boolean decompressorToldEnd;
  private boolean finished;
  private boolean closed;
  private long archiveBytes;
  private long busyNanos;

  ArchiveDecoder(String subject, ByteTransform decryptor, ArchiveLimits limits, BufferPool pool) {
    this(subject, decryptor, limits, pool, null, null);
  }

  /**
   * @param parallel how the parallel layouts are decoded (any other archive is read serially); null
   *     to read every archive serially
   * @param readBuffers where archive chunks are given back once consumed; null to leave them to the
   *     garbage collector
   */
  ArchiveDecoder(
      String subject,
      ByteTransform decryptor,
      ArchiveLimits limits,
      BufferPool pool,
      @Nullable ParallelSettings parallel,
      @Nullable ReadBuffers readBuffers) {
    this.subject = subject;
    this.readBuffers = readBuffers;
    this.limits = limits;
    this.parallel = parallel;
    this.pool = pool;
    this.decryptor = decryptor;
    this.plaintext = decryptor == null ? null : ByteBuffer.allocateDirect(pool.bufferSize());
    this.tar = new TarDecoder(subject, entries);
  }

  /** The batches this chunk of archive bytes completes, produced on demand. */
  Iterable<WriteBatch> decode(ByteBuffer chunk) {
    return () -> new Batches(chunk);
  }

  /** The batches left once the archive ended; the last one proves the archive complete. */
  Iterable<WriteBatch> finish() {
    return () -> new Batches(null);
  }

  Codec codec() {
    return codec;
  }

  long archiveBytes() {
    return archiveBytes;
  }

  long busyNanos() {
    return busyNanos;
  }

  /** The archive's single top-level directory, known once the first entry was read. */
  String topDirectory() {
    return entries.top;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      if (decompressor != null) {
        decompressor.close();
      }
      if (decryptor != null) {
        decryptor.close();
      }
    }
  }

  private final class Batches implements Iterator<WriteBatch> {
    /** The chunk to hand over on the first step; null afterwards. */
    private ByteBuffer chunk;

    /** The chunk this iterator was made for, given back once every batch it completes was made. */
    private final @Nullable ByteBuffer source;

    private final boolean endOfInput;
    private WriteBatch next;
    private boolean exhausted;

    Batches(ByteBuffer chunk) {
      this.chunk = chunk;
      this.source = chunk;
      this.endOfInput = chunk == null;
    }

    @Override
    public boolean hasNext() {
      if (next == null && !exhausted) {
        next = produce(chunk, endOfInput);
        chunk = null;
        exhausted = next == null;
        if (exhausted && source != null) {
          retire(source);
        }
      }
      return next != null;
    }

    @Override
    public WriteBatch next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      WriteBatch batch = next;
      next = null;
      return batch;
    }
  }

  private synchronized WriteBatch produce(ByteBuffer chunk, boolean end) {
    if (closed || finished) {
      return null;
    }
    long started = System.nanoTime();
    try {
      if (chunk != null) {
        archiveBytes += chunk.remaining();
        pendingInput = chunk;
      }
      if (end) {
        inputEnded = true;
      }
      if (buffer == null) {
        buffer = pool.acquire();
      }
      Fill fill = fill();
      if (fill == Fill.NEED_INPUT) {
        return null;
      }
      WriteBatch batch = emit();
      if (fill == Fill.END) {
        finished = true;
        tar.finish();
        if (entries.top == null) {
          throw new InvalidArchiveException(subject, "archive holds no entries");
        }
      }
      return batch;
    } finally {
      busyNanos += System.nanoTime() - started;
    }
  }

  /**
   * Gives an archive chunk back to {@link #readBuffers} once the decoder asked for the chunk after
   * it and nothing can read it any more. A transform keeps a reference to the last chunk offered to
   * it, and one that feeds a nested transform (the parallel readers' serial fallback) hands that
   * reference on only when the nested one next needs input; both have let go of a chunk once two
   * later chunks were offered, so a chunk is given back only then ({@link #offered}). A chunk still
   * waiting to be offered or carried over from sniffing is left to the garbage collector, as is
   * every chunk once the decoder is closed or finished.
   */
  private synchronized void retire(ByteBuffer chunk) {
    if (readBuffers == null || closed || finished || pendingInput == chunk || carry == chunk) {
      return;
    }
    retired.add(chunk);
    giveBackReleased();
  }

  /**
   * Offers an archive chunk (or the plaintext buffer) to {@code transform}, noting what it holds.
   */
  private void offer(ByteTransform transform, ByteBuffer input) {
    transform.offer(input);
    if (readBuffers != null && input != plaintext && offered.peekLast() != input) {
      offered.addLast(input);
      if (offered.size() > 2) {
        offered.removeFirst();
      }
      giveBackReleased();
    }
  }

  private void giveBackReleased() {
    for (Iterator<ByteBuffer> it = retired.iterator(); it.hasNext(); ) {
      ByteBuffer chunk = it.next();
      if (!isOffered(chunk)) {
        it.remove();
        readBuffers.give(chunk);
      }
    }
  }

  /** By identity: a buffer's equals compares the bytes it has left, not which buffer it is. */
  private boolean isOffered(ByteBuffer chunk) {
    for (ByteBuffer b : offered) {
      if (b == chunk) {
        return true;
      }
    }
    return false;
  }

  /** Decompresses into {@link #buffer} until it is full, input runs out, or the stream ends. */
  private Fill fill() {
    while (buffer.hasRemaining()) {
      if (decompressor == null && !sniff()) {
        return Fill.NEED_INPUT;
      }
      int n = decompressor.read(buffer);
      if (n > 0) {
        continue;
      }
      if (n < 0) {
        return Fill.END;
      }
      if (decompressorToldEnd) {
        throw new InvalidArchiveException(subject, codec + " stream ended without its end marker");
      }
      if (carry != null && carry.hasRemaining()) {
        offer(decompressor, carry);
        carry = null;
        continue;
      }
      ByteBuffer plain = nextPlaintext();
      if (plain == null) {
        return Fill.NEED_INPUT;
      }
      if (plain == END) {
        decompressorToldEnd = true;
        decompressor.endOfInput();
      } else {
        offer(decompressor, plain);
      }
    }
    return Fill.FULL;
  }

  /**
   * Collects the first bytes until the codec is known, then starts the decompressor with them.
   *
   * @return false when more input is needed
   */
  private boolean sniff() {
    while (codec == null) {
      if (carry != null && !carry.hasRemaining()) {
        // Drained: forget it, the chunk may come back refilled as a later one.
        carry = null;
      }
      ByteBuffer plain = carry != null ? carry : nextPlaintext();
      if (plain == null) {
        return false;
      }
      boolean complete = plain == END;
      if (!complete) {
        int n = Math.min(head.remaining(), plain.remaining());
        head.put(head.position(), plain, plain.position(), n);
        head.position(head.position() + n);
        plain.position(plain.position() + n);
        carry = plain;
      }
      codec = Codec.sniff(head.duplicate().flip(), complete || !head.hasRemaining(), subject);
      if (codec != null) {
        decompressor =
            parallel == null ? codec.newDecoder(subject) : Codecs.decoder(codec, subject, parallel);
        decompressor.offer(head.flip());
        if (complete) {
          decompressorToldEnd = true;
          decompressor.endOfInput();
        }
      }
    }
    return true;
  }

  /** The next plaintext bytes: a buffer with bytes, {@link #END}, or null when input is needed. */
  private ByteBuffer nextPlaintext() {
    if (decryptor == null) {
      if (pendingInput != null && pendingInput.hasRemaining()) {
        ByteBuffer input = pendingInput;
        pendingInput = null;
        return input;
      }
      return inputEnded ? END : null;
    }
    while (true) {
      if (decryptor.needsInput() && pendingInput != null) {
        offer(decryptor, pendingInput);
        pendingInput = null;
      }
      int n = decryptor.read(plaintext.clear());
      plaintext.flip();
      if (n > 0) {
        return plaintext;
      }
      if (n < 0) {
        return END;
      }
      if (!inputEnded || decryptorToldEnd) {
        return null;
      }
      decryptorToldEnd = true;
      decryptor.endOfInput();
    }
  }

  private WriteBatch emit() {
    ByteBuffer filled = buffer.flip();
    buffer = null;
    entries.ops = new ArrayList<>();
    tar.decode(filled.duplicate());
    checkLimits();
    return new WriteBatch(filled, entries.ops);
  }

  private void checkLimits() {
    long out = decompressor.bytesOut();
    if (out > limits.maxUncompressedBytes()) {
      throw new ArchiveLimitExceededException(
          subject, "archive expands to more than " + limits.maxUncompressedBytes() + " bytes");
    }
    if (out > limits.ratioCheckAfterBytes()
        && out > limits.maxCompressionRatio() * Math.max(archiveBytes, 1)) {
      throw new ArchiveLimitExceededException(
          subject,
          "compression ratio over "
              + limits.maxCompressionRatio()
              + ":1 ("
              + archiveBytes
              + " archive bytes expanded to "
              + out
              + "): refusing a possible decompression bomb");
    }
  }

  /**
   * Turns tar entries into write operations, enforcing one top-level directory and the entry
   * limits.
   */
  private final class EntryCollector implements TarEntryListener {
    List<WriteBatch.WriteOp> ops = new ArrayList<>();
    String top;
    long count;
    long fileBytes;

    @Override
    public void directory(String path) {
      admit(path, true);
      ops.add(new WriteBatch.MakeDirectory(path));
    }

    @Override
    public void fileStart(String path, long size) {
      admit(path, false);
      fileBytes += size;
      if (fileBytes > limits.maxUncompressedBytes()) {
        throw new ArchiveLimitExceededException(
            subject,
            "entry '"
                + path
                + "' takes the files over "
                + limits.maxUncompressedBytes()
                + " bytes");
      }
      ops.add(new WriteBatch.OpenFile(path, size));
    }

    @Override
    public void fileData(ByteBuffer data) {
      // A view of the decoded buffer: the writer reads it before the buffer is recycled.
      ops.add(new WriteBatch.Write(data.slice()));
    }

    @Override
    public void fileEnd() {
      ops.add(new WriteBatch.CloseFile());
    }

    private void admit(String path, boolean directory) {
      if (++count > limits.maxEntries()) {
        throw new ArchiveLimitExceededException(
            subject, "archive has more than " + limits.maxEntries() + " entries");
      }
      int slash = path.indexOf('/');
      String first = slash < 0 ? path : path.substring(0, slash);
      if (slash < 0 && !directory) {
        throw new InvalidArchiveException(
            subject,
            "file '"
                + path
                + "' is outside the segment directory: a segment archive holds one directory");
      }
      if (top == null) {
        try {
          top = SegmentId.validateSegmentName(first);
        } catch (RuntimeException e) {
          throw new InvalidArchiveException(
              subject, "top-level directory '" + first + "' is not a segment name", e);
        }
      } else if (!top.equals(first)) {
        throw new InvalidArchiveException(
            subject,
            "archive holds more than one top-level entry: '" + top + "' and '" + first + "'");
      }
    }
  }
}
