package io.segmenttransfer.core.archive.codec;

import java.nio.ByteBuffer;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.xxhash.StreamingXXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Streaming LZ4 frame encoder: one frame of independent 4 MiB blocks with a content checksum and no
 * content size (unknown while streaming). 4 MiB is what Pinot and commons-compress write, so
 * archives from either side have the same shape; the price is up to 4 MiB of gathered input plus
 * one compressed block in memory. A block that does not shrink is stored uncompressed, as the
 * format allows.
 */
final class Lz4FrameEncoder extends StreamingTransform {

  static final int BLOCK_SIZE = 4 * 1024 * 1024;

  /** FLG: version 01, independent blocks, content checksum. */
  private static final byte FLG = 0x40 | 0x20 | 0x04;

  /** BD: block maximum size code 7 = 4 MiB. */
  private static final byte BD = 0x70;

  private static final int STORED_BLOCK = 0x80000000;

  private enum State {
    HEADER,
    BLOCKS,
    END_MARK,
    DONE
  }

  private final LZ4Compressor compressor;
  private final StreamingXXHash32 contentHash =
      XXHashFactory.fastestInstance().newStreamingHash32(0);
  private byte[] block = new byte[BLOCK_SIZE];
  private int blockLength;

  /** Bytes ready to be read out: header, a block record, or end mark and checksum. */
  private byte[] out;

  private int outPosition;
  private int outLimit;
  private State state = State.HEADER;

  /** {@code level} 0 uses the fast compressor, 1 to 17 the high-compression one at that level. */
  Lz4FrameEncoder(String subject, int level) {
    super("lz4 encoder", subject);
    LZ4Factory factory = LZ4Factory.fastestInstance();
    this.compressor = level == 0 ? factory.fastCompressor() : factory.highCompressor(level);
    this.out = new byte[4 + compressor.maxCompressedLength(BLOCK_SIZE)];
  }

  @Override
  public int read(ByteBuffer dst) {
    checkUsable();
    int start = dst.position();
    loop:
    while (true) {
      if (outPosition < outLimit) {
        int n = Math.min(outLimit - outPosition, dst.remaining());
        dst.put(out, outPosition, n);
        outPosition += n;
        if (outPosition < outLimit) {
          break;
        }
      }
      switch (state) {
        case HEADER -> {
          writeHeader();
          state = State.BLOCKS;
        }
        case BLOCKS -> {
          int n = Math.min(BLOCK_SIZE - blockLength, input.remaining());
          input.get(block, blockLength, n);
          blockLength += n;
          if (blockLength == BLOCK_SIZE) {
            writeBlock();
          } else if (ended()) {
            if (blockLength > 0) {
              writeBlock();
            }
            state = State.END_MARK;
          } else {
            break loop;
          }
        }
        case END_MARK -> {
          writeInt(0, 0);
          writeInt(4, contentHash.getValue());
          outPosition = 0;
          outLimit = 8;
          state = State.DONE;
        }
        case DONE -> {
          break loop;
        }
      }
    }
    int produced = dst.position() - start;
    countOut(produced);
    if (produced > 0) {
      return produced;
    }
    return state == State.DONE && outPosition == outLimit ? -1 : 0;
  }

  private void writeHeader() {
    out[0] = 0x04;
    out[1] = 0x22;
    out[2] = 0x4D;
    out[3] = 0x18;
    out[4] = FLG;
    out[5] = BD;
    out[6] = (byte) (XXHashFactory.fastestInstance().hash32().hash(out, 4, 2, 0) >>> 8);
    outPosition = 0;
    outLimit = 7;
  }

  private void writeBlock() {
    contentHash.update(block, 0, blockLength);
    int compressed = compressor.compress(block, 0, blockLength, out, 4, out.length - 4);
    if (compressed < blockLength) {
      writeInt(0, compressed);
      outLimit = 4 + compressed;
    } else {
      writeInt(0, blockLength | STORED_BLOCK);
      System.arraycopy(block, 0, out, 4, blockLength);
      outLimit = 4 + blockLength;
    }
    outPosition = 0;
    blockLength = 0;
  }

  private void writeInt(int at, int value) {
    out[at] = (byte) value;
    out[at + 1] = (byte) (value >>> 8);
    out[at + 2] = (byte) (value >>> 16);
    out[at + 3] = (byte) (value >>> 24);
  }

  @Override
  void release() {
    block = null;
    out = null;
    contentHash.close();
  }
}
