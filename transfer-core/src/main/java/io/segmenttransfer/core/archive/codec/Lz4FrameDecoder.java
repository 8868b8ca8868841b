package io.segmenttransfer.core.archive.codec;

import java.nio.ByteBuffer;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.StreamingXXHash32;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Streaming decoder of the LZ4 frame format (lz4 spec "LZ4 Frame Format Description" 1.6.x): one or
 * more frames back to back, skippable frames skipped, header, block and content checksums and the
 * content size verified. LZ4 blocks cannot be decoded piecemeal, so a block is decoded whole:
 * straight from the caller's input when the chunk holds all of it, otherwise after staging it; and
 * straight into the caller's buffer when that is a heap buffer with room for a maximal block,
 * otherwise into an internal block buffer drained over the following reads. Memory: at most one
 * staged compressed block and one decoded block (2 x 4 MiB for the largest block size).
 *
 * <p>Frames with linked blocks (each block may refer to the previous 64 KiB of output) are refused:
 * Pinot and commons-compress write independent blocks, and decoding linked ones would need the
 * previous block kept as a dictionary.
 *
 * <p>The internal buffers are heap arrays because lz4-java's streaming xxHash32 takes only arrays;
 * its JNI block decoder reads heap and direct buffers alike without copying.
 */
final class Lz4FrameDecoder extends StreamingTransform {

  private static final int MAGIC = 0x184D2204;
  private static final int LEGACY_MAGIC = 0x184C2102;
  private static final int SKIPPABLE_MAGIC = 0x184D2A50;
  private static final int SKIPPABLE_MASK = 0xFFFFFFF0;
  private static final int FLG_VERSION_MASK = 0xC0;
  private static final int FLG_VERSION = 0x40;
  private static final int FLG_BLOCK_INDEPENDENCE = 0x20;
  private static final int FLG_BLOCK_CHECKSUM = 0x10;
  private static final int FLG_CONTENT_SIZE = 0x08;
  private static final int FLG_CONTENT_CHECKSUM = 0x04;
  private static final int FLG_RESERVED = 0x02;
  private static final int FLG_DICT_ID = 0x01;
  private static final int BD_RESERVED = 0x8F;
  private static final int STORED_BLOCK = 0x80000000;

  private enum State {
    MAGIC,
    DESCRIPTOR,
    BLOCK_SIZE,
    BLOCK,
    CONTENT_CHECKSUM,
    SKIP_SIZE,
    SKIP,
    FRAME_END,
    DONE
  }

  private final LZ4SafeDecompressor decompressor = LZ4Factory.fastestInstance().safeDecompressor();
  private final XXHash32 xxhash = XXHashFactory.fastestInstance().hash32();
  private final StreamingXXHash32 contentHash =
      XXHashFactory.fastestInstance().newStreamingHash32(0);

  /** Magic, descriptor, block size or checksum bytes as they arrive (descriptor: at most 15). */
  private final byte[] head = new byte[15];

  private int headLength;

  private State state = State.MAGIC;
  private int frames;
  private long frameStart;
  private int blockMaxSize;
  private boolean blockChecksum;
  private boolean contentChecksum;
  private long contentSize = -1;
  private long frameOut;
  private int blockSize;
  private boolean blockStored;
  private long skipRemaining;

  /** A block record (data plus checksum) that straddles input chunks, gathered here. */
  private byte[] staged = new byte[0];

  private ByteBuffer stagedBuffer = ByteBuffer.wrap(staged);
  private int stagedLength;

  /** A decoded block waiting to be read out. */
  private byte[] decoded = new byte[0];

  private ByteBuffer decodedBuffer = ByteBuffer.wrap(decoded);
  private int decodedPosition;
  private int decodedLimit;

  Lz4FrameDecoder(String subject) {
    super("lz4 decoder", subject);
  }

  @Override
  public int read(ByteBuffer dst) {
    checkUsable();
    int start = dst.position();
    try {
      step(dst);
    } catch (LZ4Exception e) {
      throw fail("corrupt lz4 block in frame " + (frames + 1) + ": " + e.getMessage(), e);
    }
    int produced = dst.position() - start;
    countOut(produced);
    if (produced > 0) {
      return produced;
    }
    if (state == State.DONE) {
      return -1;
    }
    if (ended() && dst.hasRemaining()) {
      throw fail(
          "truncated lz4 stream: input ended after "
              + bytesIn()
              + " bytes, inside frame "
              + (frames + 1)
              + " ("
              + state.name().toLowerCase().replace('_', ' ')
              + ")",
          null);
    }
    return 0;
  }

  /** Runs the frame parser until {@code dst} is full or more input is needed. */
  private void step(ByteBuffer dst) {
    while (true) {
      if (decodedPosition < decodedLimit) {
        int n = Math.min(decodedLimit - decodedPosition, dst.remaining());
        dst.put(decoded, decodedPosition, n);
        decodedPosition += n;
      }
      if (!dst.hasRemaining()) {
        return;
      }
      switch (state) {
        case MAGIC -> {
          if (!fill(4)) {
            return;
          }
          readMagic(littleEndianInt(0));
        }
        case DESCRIPTOR -> {
          if (!fill(2)) {
            return;
          }
          int length = descriptorLength();
          if (!fill(length)) {
            return;
          }
          readDescriptor(length);
        }
        case BLOCK_SIZE -> {
          if (!fill(4)) {
            return;
          }
          readBlockSize(littleEndianInt(0));
        }
        case BLOCK -> {
          if (!decodeBlock(dst)) {
            return;
          }
        }
        case CONTENT_CHECKSUM -> {
          if (!fill(4)) {
            return;
          }
          int stored = littleEndianInt(0);
          if (stored != contentHash.getValue()) {
            throw fail(
                String.format(
                    "lz4 content checksum mismatch in frame %d: frame says %08x, data gives %08x",
                    frames + 1, stored, contentHash.getValue()),
                null);
          }
          endFrame();
        }
        case SKIP_SIZE -> {
          if (!fill(4)) {
            return;
          }
          skipRemaining = Integer.toUnsignedLong(littleEndianInt(0));
          state = State.SKIP;
        }
        case SKIP -> {
          int n = (int) Math.min(skipRemaining, input.remaining());
          input.position(input.position() + n);
          skipRemaining -= n;
          if (skipRemaining > 0) {
            return;
          }
          frames++;
          state = State.FRAME_END;
        }
        case FRAME_END -> {
          if (input.hasRemaining()) {
            frameStart = bytesIn();
            headLength = 0;
            state = State.MAGIC;
          } else if (ended()) {
            state = State.DONE;
          } else {
            return;
          }
        }
        case DONE -> {
          return;
        }
      }
    }
  }

  private void readMagic(int magic) {
    headLength = 0;
    if (magic == MAGIC) {
      state = State.DESCRIPTOR;
    } else if ((magic & SKIPPABLE_MASK) == SKIPPABLE_MAGIC) {
      state = State.SKIP_SIZE;
    } else if (magic == LEGACY_MAGIC) {
      throw fail(
          "the legacy lz4 format (lz4 -l) is not supported, only the lz4 frame format", null);
    } else if (frames > 0) {
      throw fail(
          "unexpected bytes after lz4 frame "
              + frames
              + " at input byte "
              + frameStart
              + ": not another lz4 frame",
          null);
    } else {
      throw fail("not an lz4 frame stream (bad magic bytes)", null);
    }
  }

  /** The descriptor's length (FLG through header checksum), from the FLG byte. */
  private int descriptorLength() {
    int flg = head[0] & 0xff;
    return 3 + ((flg & FLG_CONTENT_SIZE) != 0 ? 8 : 0) + ((flg & FLG_DICT_ID) != 0 ? 4 : 0);
  }

  private void readDescriptor(int length) {
    int flg = head[0] & 0xff;
    int bd = head[1] & 0xff;
    if ((flg & FLG_VERSION_MASK) != FLG_VERSION) {
      throw fail(
          "unsupported lz4 frame version " + (flg >>> 6) + " in frame " + (frames + 1), null);
    }
    if ((flg & FLG_RESERVED) != 0 || (bd & BD_RESERVED) != 0) {
      throw fail(
          "corrupt lz4 frame descriptor in frame " + (frames + 1) + ": reserved bits set", null);
    }
    int checksum = (xxhash.hash(head, 0, length - 1, 0) >>> 8) & 0xff;
    if (checksum != (head[length - 1] & 0xff)) {
      throw fail(
          "corrupt lz4 frame descriptor in frame " + (frames + 1) + ": header checksum mismatch",
          null);
    }
    if ((flg & FLG_BLOCK_INDEPENDENCE) == 0) {
      throw fail(
          "lz4 frame "
              + (frames + 1)
              + " uses linked blocks (block dependency), which this "
              + "decoder does not support: write the archive with independent blocks, as Pinot does",
          null);
    }
    if ((flg & FLG_DICT_ID) != 0) {
      throw fail(
          "lz4 frame " + (frames + 1) + " needs a preset dictionary, which is not supported", null);
    }
    int sizeCode = (bd >>> 4) & 0x7;
    if (sizeCode < 4) {
      throw fail(
          "corrupt lz4 frame descriptor in frame "
              + (frames + 1)
              + ": invalid block size code "
              + sizeCode,
          null);
    }
    blockMaxSize = 1 << (8 + 2 * sizeCode);
    blockChecksum = (flg & FLG_BLOCK_CHECKSUM) != 0;
    contentChecksum = (flg & FLG_CONTENT_CHECKSUM) != 0;
    contentSize = -1;
    if ((flg & FLG_CONTENT_SIZE) != 0) {
      contentSize = littleEndianInt(2) & 0xffffffffL | (littleEndianInt(6) & 0xffffffffL) << 32;
    }
    frameOut = 0;
    contentHash.reset();
    headLength = 0;
    state = State.BLOCK_SIZE;
  }

  private void readBlockSize(int word) {
    headLength = 0;
    if (word == 0) {
      // The end mark.
      if (contentChecksum) {
        state = State.CONTENT_CHECKSUM;
      } else {
        endFrame();
      }
      return;
    }
    blockStored = (word & STORED_BLOCK) != 0;
    blockSize = word & ~STORED_BLOCK;
    if (blockSize == 0 || blockSize > blockMaxSize) {
      throw fail(
          "corrupt lz4 block in frame "
              + (frames + 1)
              + ": block size "
              + blockSize
              + " is not within 1.."
              + blockMaxSize,
          null);
    }
    stagedLength = 0;
    state = State.BLOCK;
  }

  /**
   * Gathers the current block record, checks it and decodes it; false when more input is needed.
   */
  private boolean decodeBlock(ByteBuffer dst) {
    int recordLength = blockSize + (blockChecksum ? 4 : 0);
    ByteBuffer source;
    int offset;
    if (stagedLength == 0 && input.remaining() >= recordLength) {
      source = input;
      offset = input.position();
      input.position(offset + recordLength);
    } else {
      if (staged.length < recordLength) {
        staged = new byte[blockMaxSize + 4];
        stagedBuffer = ByteBuffer.wrap(staged);
      }
      int n = Math.min(recordLength - stagedLength, input.remaining());
      input.get(staged, stagedLength, n);
      stagedLength += n;
      if (stagedLength < recordLength) {
        return false;
      }
      source = stagedBuffer;
      offset = 0;
    }
    if (blockChecksum) {
      int stored =
          source.get(offset + blockSize) & 0xff
              | (source.get(offset + blockSize + 1) & 0xff) << 8
              | (source.get(offset + blockSize + 2) & 0xff) << 16
              | (source.get(offset + blockSize + 3) & 0xff) << 24;
      int actual = xxhash.hash(source, offset, blockSize, 0);
      if (stored != actual) {
        throw fail(
            String.format(
                "lz4 block checksum mismatch in frame %d at output byte %d: block says %08x, data gives %08x",
                frames + 1, frameOut, stored, actual),
            null);
      }
    }
    int decodedSize;
    if (!blockStored && dst.hasArray() && dst.remaining() >= blockMaxSize) {
      // Room for any block of this frame: decode in place and skip a copy.
      int at = dst.position();
      decodedSize = decompressor.decompress(source, offset, blockSize, dst, at, blockMaxSize);
      contentHash.update(dst.array(), dst.arrayOffset() + at, decodedSize);
      dst.position(at + decodedSize);
    } else {
      if (decoded.length < blockMaxSize) {
        decoded = new byte[blockMaxSize];
        decodedBuffer = ByteBuffer.wrap(decoded);
      }
      if (blockStored) {
        source.get(offset, decoded, 0, blockSize);
        decodedSize = blockSize;
      } else {
        decodedSize =
            decompressor.decompress(source, offset, blockSize, decodedBuffer, 0, blockMaxSize);
      }
      contentHash.update(decoded, 0, decodedSize);
      decodedPosition = 0;
      decodedLimit = decodedSize;
    }
    frameOut += decodedSize;
    if (contentSize >= 0 && frameOut > contentSize) {
      throw fail(
          "corrupt lz4 frame "
              + (frames + 1)
              + ": more than the declared "
              + contentSize
              + " bytes of content",
          null);
    }
    stagedLength = 0;
    state = State.BLOCK_SIZE;
    return true;
  }

  private void endFrame() {
    if (contentSize >= 0 && frameOut != contentSize) {
      throw fail(
          "corrupt lz4 frame "
              + (frames + 1)
              + ": declared content size "
              + contentSize
              + " but "
              + frameOut
              + " bytes decoded",
          null);
    }
    frames++;
    headLength = 0;
    state = State.FRAME_END;
  }

  /** Copies input into {@link #head} until it holds {@code length} bytes; true once it does. */
  private boolean fill(int length) {
    int n = Math.min(length - headLength, input.remaining());
    if (n > 0) {
      input.get(head, headLength, n);
      headLength += n;
    }
    return headLength >= length;
  }

  private int littleEndianInt(int at) {
    return (head[at] & 0xff)
        | (head[at + 1] & 0xff) << 8
        | (head[at + 2] & 0xff) << 16
        | (head[at + 3] & 0xff) << 24;
  }

  @Override
  void release() {
    staged = new byte[0];
    decoded = new byte[0];
    stagedBuffer = null;
    decodedBuffer = null;
    contentHash.close();
  }
}
