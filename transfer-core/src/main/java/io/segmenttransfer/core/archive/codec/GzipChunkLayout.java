package io.segmenttransfer.core.archive.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The gzip header of the independent-chunk layout, shared by its writer and reader: one gzip member
 * whose deflate stream is made of chunks of {@code chunkSize} uncompressed bytes (the last one
 * shorter), each compressed by a fresh raw deflate and ending with a full flush (the byte-aligned
 * empty stored block {@code 00 00 ff ff}), as {@code pigz -i} writes them; the last one ends the
 * stream instead. Every gzip reader reads it as the plain single member it is.
 *
 * <p>The header carries one FEXTRA subfield ({@code SI1 SI2 = 'S' 'T'}, 5 bytes: a layout version
 * and the chunk size, little-endian) that tells our reader the layout and the uncompressed size of
 * every chunk but the last. Compressed chunk sizes cannot be in the header of an archive written in
 * one streaming pass (they are known only after it), so the reader finds the chunk ends from the
 * flush markers and checks each one (see {@link GzipChunksDecoder}).
 */
final class GzipChunkLayout {

  static final byte SI1 = 'S';
  static final byte SI2 = 'T';
  static final int VERSION = 1;

  /** Subfield payload: version (1 byte) and chunk size (4 bytes). */
  private static final int PAYLOAD = 5;

  /** Fixed header (10) + XLEN (2) + subfield id and length (4) + payload. */
  static final int HEADER_LENGTH = 10 + 2 + 4 + PAYLOAD;

  private static final int FEXTRA = 0x04;

  private GzipChunkLayout() {}

  /** The header: no name, no time, OS unknown, so equal input gives equal bytes. */
  static byte[] header(int chunkSize) {
    ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x1f).put((byte) 0x8b).put((byte) 8).put((byte) FEXTRA);
    b.putInt(0).put((byte) 0).put((byte) 0xff);
    b.putShort((short) (4 + PAYLOAD));
    b.put(SI1).put(SI2).putShort((short) PAYLOAD);
    b.put((byte) VERSION).putInt(chunkSize);
    return b.array();
  }

  /**
   * The chunk size a header declares, or -1 when the header is not exactly this layout's (any other
   * gzip stream, read serially).
   */
  static int chunkSize(byte[] head) {
    if (head.length < HEADER_LENGTH) {
      return -1;
    }
    ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
    if ((b.get(0) & 0xff) != 0x1f
        || (b.get(1) & 0xff) != 0x8b
        || b.get(2) != 8
        || b.get(3) != FEXTRA
        || b.getShort(10) != 4 + PAYLOAD
        || b.get(12) != SI1
        || b.get(13) != SI2
        || b.getShort(14) != PAYLOAD
        || b.get(16) != VERSION) {
      return -1;
    }
    int size = b.getInt(17);
    return size >= ParallelSettings.MIN_CHUNK_SIZE && size <= ParallelSettings.MAX_CHUNK_SIZE
        ? size
        : -1;
  }
}
