package io.segmenttransfer.core.archive.codec;

import io.segmenttransfer.core.error.InvalidArchiveException;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * The parallel writers' shared part: input cut into chunks of {@link ParallelSettings#chunkSize()}
 * uncompressed bytes, each compressed independently on the pool, output in input order between a
 * header and a trailer the format defines. The bytes depend on the input, the level and the chunk
 * size only, never on the thread count or timing, so peers holding the same files produce the same
 * archive.
 *
 * <p>Memory: one chunk being filled plus {@link ParallelSettings#chunksInFlight()} chunks (input
 * and output) being compressed or waiting their turn. {@code read} waits for the oldest chunk only
 * when it cannot take more input (the caller's chunk is not consumed because enough chunks are in
 * flight, or input has ended), so a caller that keeps offering input keeps every thread busy.
 */
abstract class ChunkedEncoder extends StreamingTransform {

  /** One compressed chunk: {@code length} bytes of {@code data}, from {@code inputLength} bytes. */
  record Compressed(byte[] data, int length, int inputLength, int crc) {}

  private static final byte[] NONE = new byte[0];

  private final int chunkSize;
  private final OrderedWork<Compressed> work;

  /**
   * Chunk arrays for reuse: input chunks once compressed, compressed chunks once copied out. A
   * subclass's {@link #compress} takes its output array here (it is thread-safe).
   */
  final ArrayRecycler arrays;

  /** Whether {@link #out} is a compressed chunk's array (the header and trailer are not reused). */
  private boolean outIsChunk;

  private byte @Nullable [] filling;
  private int filled;
  private boolean lastSubmitted;
  private boolean headerSent;
  private boolean trailerSent;
  private boolean done;

  /** What is being copied out: the header, a chunk or the trailer. */
  private byte[] out = NONE;

  private int outPosition;
  private int outLimit;

  ChunkedEncoder(String kind, String subject, ParallelSettings settings) {
    super(kind, subject);
    this.chunkSize = settings.chunkSize();
    this.work = new OrderedWork<>(subject, settings);
    // Inputs and outputs of the chunks in flight, the one filling and the one being copied out.
    this.arrays = new ArrayRecycler(2 * settings.chunksInFlight() + 4);
  }

  /** Bytes before the first chunk. */
  abstract byte[] header(int chunkSize);

  /**
   * Compresses one chunk, on a pool thread: must use nothing shared but its arguments and {@link
   * #arrays}.
   *
   * @param last true for the final chunk (possibly empty), which ends the compressed stream
   */
  abstract Compressed compress(byte[] input, int length, boolean last);

  /** Called in order on the driving thread for each chunk as it is emitted. */
  void emitted(Compressed chunk) {}

  /** Bytes after the last chunk. */
  abstract byte[] trailer();

  @Override
  public int read(ByteBuffer dst) {
    checkUsable();
    try {
      return drive(dst);
    } catch (InvalidArchiveException e) {
      // Sticky, as every codec's failures; the chunks in flight are of no use any more.
      work.cancel();
      throw fail(e);
    }
  }

  private int drive(ByteBuffer dst) {
    if (done) {
      return -1;
    }
    int start = dst.position();
    while (dst.hasRemaining()) {
      if (outPosition < outLimit) {
        int n = Math.min(outLimit - outPosition, dst.remaining());
        dst.put(out, outPosition, n);
        outPosition += n;
        continue;
      }
      if (outIsChunk) {
        arrays.give(out);
        outIsChunk = false;
        out = NONE;
      }
      if (!headerSent) {
        headerSent = true;
        emit(header(chunkSize), -1);
        continue;
      }
      pump();
      boolean moreInputUsable = !ended() && !input.hasRemaining();
      if (!work.isEmpty() && (work.headDone() || !moreInputUsable)) {
        Compressed chunk = work.take();
        emitted(chunk);
        emit(chunk.data(), chunk.length());
        outIsChunk = true;
        continue;
      }
      if (work.isEmpty() && lastSubmitted) {
        if (!trailerSent) {
          trailerSent = true;
          emit(trailer(), -1);
          continue;
        }
        done = true;
      }
      break;
    }
    int produced = dst.position() - start;
    countOut(produced);
    if (produced > 0) {
      return produced;
    }
    return done ? -1 : 0;
  }

  private void emit(byte[] bytes, int length) {
    out = bytes;
    outPosition = 0;
    outLimit = length < 0 ? bytes.length : length;
  }

  /** Moves input into chunks and hands full ones (and the last one) to the pool while room. */
  private void pump() {
    while (!work.full()) {
      if (input.hasRemaining()) {
        if (filling == null) {
          filling = arrays.take(chunkSize);
          filled = 0;
        }
        int n = Math.min(input.remaining(), chunkSize - filled);
        input.get(filling, filled, n);
        filled += n;
        if (filled == chunkSize) {
          submit(false);
        }
      } else if (ended() && !lastSubmitted) {
        submit(true);
      } else {
        return;
      }
    }
  }

  private void submit(boolean last) {
    byte[] chunk = filling == null ? NONE : filling;
    int length = filled;
    filling = null;
    filled = 0;
    lastSubmitted = last;
    work.submit(
        () -> {
          try {
            return compress(chunk, length, last);
          } finally {
            arrays.give(chunk);
          }
        });
  }

  @Override
  void release() {
    work.cancel();
    filling = null;
    out = NONE;
    outIsChunk = false;
    arrays.clear();
  }
}
