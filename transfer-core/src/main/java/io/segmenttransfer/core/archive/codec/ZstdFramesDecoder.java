package io.segmenttransfer.core.archive.codec;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import io.segmenttransfer.core.error.InvalidArchiveException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Reads zstd made of frames that declare their content size (as {@link ZstdFramesEncoder} writes
 * them) on all cores: it walks the frame and block headers as the bytes arrive (no decompression
 * needed to find where a frame ends), and decodes each whole frame on the pool into an array of its
 * declared size; zstd checks the frame's content checksum. Skippable frames are skipped. From the
 * first frame without a content size, or declaring more than {@link
 * ParallelSettings#MAX_CHUNK_SIZE}, the rest of the stream goes to the serial {@link ZstdDecoder}
 * (a stream written by a streaming compressor, such as Pinot's, is read serially from its start).
 */
final class ZstdFramesDecoder extends ChunkedDecoder {

  static {
    // Before zstd-jni's classes load their library their own way.
    ZstdNativeLibrary.ensureLoaded();
  }

  private static final int MAGIC = 0xFD2FB528;
  private static final int SKIPPABLE_MAGIC = 0x184D2A50;
  private static final int MAX_BLOCK = 128 * 1024;

  /** Compressed bytes a frame of the largest accepted content may take (raw blocks, headers). */
  private static final int MAX_FRAME_BYTES =
      ParallelSettings.MAX_CHUNK_SIZE + ParallelSettings.MAX_CHUNK_SIZE / 1024 + 64 * 1024;

  private enum Step {
    MAGIC,
    SKIPPABLE_SIZE,
    SKIPPING,
    FRAME_HEADER,
    BLOCK_HEADER,
    BLOCK_BODY,
    CHECKSUM
  }

  private Step step = Step.MAGIC;

  /** The current frame's bytes so far. */
  private byte[] frame = new byte[64 * 1024];

  private int filled;

  /** Bytes {@link #step} needs in {@link #frame} before it can be parsed. */
  private int needed = 4;

  private long skipRemaining;
  private int contentSize;
  private boolean checksum;
  private boolean lastBlock;
  private long frameStart;
  private long frames;
  private long position;

  ZstdFramesDecoder(String subject, ParallelSettings settings) {
    super("zstd frames decoder", subject, settings);
  }

  @Override
  void pump() {
    while (!serial()) {
      if (step == Step.SKIPPING) {
        int n = (int) Math.min(skipRemaining, input.remaining());
        input.position(input.position() + n);
        position += n;
        skipRemaining -= n;
        if (skipRemaining > 0) {
          return;
        }
        startFrame();
        continue;
      }
      if (filled < needed) {
        if (!input.hasRemaining()) {
          return;
        }
        if (needed > frame.length) {
          frame =
              Arrays.copyOf(frame, Math.max(needed, Math.min(2 * frame.length, MAX_FRAME_BYTES)));
        }
        int n = Math.min(needed - filled, input.remaining());
        input.get(frame, filled, n);
        filled += n;
        position += n;
        continue;
      }
      if (!parse()) {
        return;
      }
    }
  }

  /** Acts on the bytes {@link #step} needed; false when the frame must wait for room. */
  private boolean parse() {
    ByteBuffer b = ByteBuffer.wrap(frame, 0, filled).order(ByteOrder.LITTLE_ENDIAN);
    switch (step) {
      case MAGIC -> {
        int magic = b.getInt(0);
        if (magic == MAGIC) {
          step = Step.FRAME_HEADER;
          needed = 5;
        } else if ((magic & 0xFFFFFFF0) == SKIPPABLE_MAGIC) {
          step = Step.SKIPPABLE_SIZE;
          needed = 8;
        } else {
          // Not a frame: the serial decoder reports it as the corruption it is.
          toSerial();
        }
      }
      case SKIPPABLE_SIZE -> {
        skipRemaining = b.getInt(4) & 0xFFFFFFFFL;
        filled = 0;
        step = Step.SKIPPING;
      }
      case FRAME_HEADER -> {
        int descriptor = frame[4] & 0xff;
        int sizeFlag = descriptor >>> 6;
        boolean singleSegment = (descriptor & 0x20) != 0;
        int dictionaryFlag = descriptor & 3;
        int sizeBytes =
            switch (sizeFlag) {
              case 0 -> singleSegment ? 1 : 0;
              case 1 -> 2;
              case 2 -> 4;
              default -> 8;
            };
        int headerLength =
            5 + (singleSegment ? 0 : 1) + (dictionaryFlag == 3 ? 4 : dictionaryFlag) + sizeBytes;
        if (needed < headerLength) {
          needed = headerLength;
          return true;
        }
        int at = headerLength - sizeBytes;
        long size =
            switch (sizeBytes) {
              case 1 -> frame[at] & 0xffL;
              case 2 -> (b.getShort(at) & 0xffffL) + 256;
              case 4 -> b.getInt(at) & 0xffffffffL;
              case 8 -> b.getLong(at);
              default -> -1;
            };
        if (size < 0 || size > ParallelSettings.MAX_CHUNK_SIZE || (descriptor & 0x08) != 0) {
          // No content size, too big to hold whole, or a reserved bit: read it serially.
          toSerial();
          return true;
        }
        contentSize = (int) size;
        checksum = (descriptor & 0x04) != 0;
        step = Step.BLOCK_HEADER;
        needed = filled + 3;
      }
      case BLOCK_HEADER -> {
        int header =
            (frame[filled - 3] & 0xff)
                | (frame[filled - 2] & 0xff) << 8
                | (frame[filled - 1] & 0xff) << 16;
        lastBlock = (header & 1) != 0;
        int type = (header >>> 1) & 3;
        int size = header >>> 3;
        if (type == 3 || size > MAX_BLOCK) {
          toSerial();
          return true;
        }
        int body = type == 1 ? 1 : size;
        if (filled + body > MAX_FRAME_BYTES) {
          toSerial();
          return true;
        }
        step = Step.BLOCK_BODY;
        needed = filled + body;
      }
      case BLOCK_BODY -> {
        if (!lastBlock) {
          step = Step.BLOCK_HEADER;
          needed = filled + 3;
        } else if (checksum) {
          step = Step.CHECKSUM;
          needed = filled + 4;
        } else {
          return submitFrame();
        }
      }
      case CHECKSUM -> {
        return submitFrame();
      }
      default -> throw new IllegalStateException(step.name());
    }
    return true;
  }

  private boolean submitFrame() {
    if (work.full()) {
      return false;
    }
    byte[] bytes = frame;
    int length = filled;
    int size = contentSize;
    long at = frameStart;
    work.submit(() -> decode(bytes, length, size, at));
    frames++;
    frame = inputs.take(Math.min(Math.max(64 * 1024, length + length / 8), MAX_FRAME_BYTES));
    startFrame();
    return true;
  }

  private void startFrame() {
    step = Step.MAGIC;
    filled = 0;
    needed = 4;
    frameStart = position;
  }

  private Decoded decode(byte[] bytes, int length, int size, long at) {
    byte[] out = arrays.take(size);
    try (ZstdDecompressCtx ctx = new ZstdDecompressCtx()) {
      int n = ctx.decompressByteArray(out, 0, size, bytes, 0, length);
      if (n != size) {
        throw new InvalidArchiveException(
            subject,
            "corrupt zstd stream: frame at input byte "
                + at
                + " declares "
                + size
                + " bytes but holds "
                + n);
      }
      return new Decoded(out, size, 0, true);
    } catch (ZstdException e) {
      throw new InvalidArchiveException(
          subject, "corrupt zstd stream: frame at input byte " + at + ": " + e.getMessage(), e);
    } finally {
      // The frame's compressed bytes are read: the array gathers a later frame.
      inputs.give(bytes);
    }
  }

  /** The serial decoder takes over from the start of the current frame. */
  private void toSerial() {
    switchToSerial(new ZstdDecoder(subject), ByteBuffer.wrap(frame, 0, filled));
    // The serial decoder now judges the rest, an empty or truncated one included.
    frames++;
  }

  @Override
  Decoded accept(Decoded chunk) {
    return chunk;
  }

  @Override
  boolean finish() {
    if (step != Step.MAGIC || filled != 0) {
      throw fail("truncated zstd stream: input ended inside a frame after " + position + " bytes");
    }
    if (frames == 0) {
      throw fail("truncated zstd stream: no frame in " + position + " bytes");
    }
    return true;
  }
}
