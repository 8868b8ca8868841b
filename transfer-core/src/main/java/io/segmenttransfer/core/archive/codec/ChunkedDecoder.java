package io.segmenttransfer.core.archive.codec;

import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.stream.ByteTransform;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * The parallel readers' shared part: the format finds chunk (frame) boundaries in the compressed
 * bytes as they arrive, without decompressing, and hands each chunk to the pool; decoded chunks are
 * handed out in order. A stream (or the rest of one) that is not in a parallel layout goes to the
 * format's serial decoder instead, after every chunk already decoded.
 *
 * <p>Memory: the chunk being gathered plus {@link ParallelSettings#chunksInFlight()} chunks
 * (compressed and decoded). {@code read} waits for the oldest chunk only when it cannot take more
 * input, so a caller that keeps offering input keeps the pool busy.
 */
abstract class ChunkedDecoder extends StreamingTransform {

  /**
   * A decoded chunk: {@code length} bytes of {@code data}, their CRC-32 where the format needs it,
   * and whether the format's checks found it a whole chunk (gzip's spans may not be).
   */
  record Decoded(byte[] data, int length, int crc, boolean whole) {

    static final Decoded NOTHING = new Decoded(new byte[0], 0, 0, true);

    static Decoded of(byte[] data) {
      return new Decoded(data, data.length, 0, true);
    }
  }

  private static final byte[] NONE = new byte[0];

  final OrderedWork<Decoded> work;

  /** Decoded chunk arrays for reuse, each once handed out. */
  final ArrayRecycler arrays;

  /**
   * Compressed chunk arrays (zstd frames, gzip spans) for reuse once decoded. Kept apart from
   * {@link #arrays}: compressed chunks are about half a decoded one, and one pool for both sizes
   * handed the big arrays to the small requests, so every decoded chunk got a fresh array.
   */
  final ArrayRecycler inputs;

  /** Once set, every byte not yet in a chunk goes here, after the chunks in flight. */
  private @Nullable ByteTransform serial;

  /** Bytes gathered before the switch to {@link #serial}, offered to it first. */
  private @Nullable ByteBuffer serialCarry;

  private boolean serialToldEnd;
  private boolean done;
  private byte[] out = NONE;
  private int outPosition;
  private int outLimit;

  ChunkedDecoder(String kind, String subject, ParallelSettings settings) {
    super(kind, subject);
    this.work = new OrderedWork<>(subject, settings);
    // Those in flight, the one being handed out and one being gathered, for output and input.
    this.arrays = new ArrayRecycler(settings.chunksInFlight() + 2);
    this.inputs = new ArrayRecycler(settings.chunksInFlight() + 2);
  }

  /**
   * Moves input into chunks and hands complete ones to {@link #work} while it has room; may call
   * {@link #switchToSerial}. Leaves input unconsumed only when {@link #work} is full.
   */
  abstract void pump();

  /**
   * Checks the oldest chunk, taken from {@link #work} in order, and returns what to hand out (the
   * format may decode more itself, as gzip does when a boundary was not a chunk's end).
   */
  abstract Decoded accept(Decoded chunk);

  /**
   * Called once input has ended, every byte was pumped and every chunk handed out: submits a last
   * chunk and returns false, or checks that the stream ended whole (trailer, no partial frame) and
   * returns true.
   */
  abstract boolean finish();

  /** From now on the bytes go to {@code decoder}, starting with {@code carried}. */
  final void switchToSerial(ByteTransform decoder, ByteBuffer carried) {
    serial = decoder;
    serialCarry = carried;
  }

  final boolean serial() {
    return serial != null;
  }

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
      arrays.give(out);
      out = NONE;
      if (serial == null) {
        pump();
      }
      boolean moreInputUsable = serial == null && !ended() && !input.hasRemaining();
      if (!work.isEmpty() && (work.headDone() || !moreInputUsable)) {
        Decoded chunk = accept(work.take());
        out = chunk.data();
        outPosition = 0;
        outLimit = chunk.length();
        continue;
      }
      if (!work.isEmpty()) {
        break;
      }
      if (serial != null) {
        if (!readSerial(dst)) {
          break;
        }
        continue;
      }
      if (ended() && !input.hasRemaining()) {
        if (finish()) {
          done = true;
          break;
        }
        continue;
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

  /** One step of the serial decoder; false when it needs input that has not come yet. */
  private boolean readSerial(ByteBuffer dst) {
    int n = serial.read(dst);
    if (n > 0) {
      return true;
    }
    if (n < 0) {
      done = true;
      return false;
    }
    if (serialCarry != null && serialCarry.hasRemaining()) {
      serial.offer(serialCarry);
      return true;
    }
    serialCarry = null;
    if (input.hasRemaining()) {
      serial.offer(input);
      return true;
    }
    if (ended() && !serialToldEnd) {
      serialToldEnd = true;
      serial.endOfInput();
      return true;
    }
    return false;
  }

  @Override
  void release() {
    work.cancel();
    if (serial != null) {
      serial.close();
    }
    out = NONE;
    arrays.clear();
    inputs.clear();
  }
}
