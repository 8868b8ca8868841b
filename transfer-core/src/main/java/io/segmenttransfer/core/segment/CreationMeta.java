package io.segmenttransfer.core.segment;

import java.nio.ByteBuffer;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The {@code creation.meta} file: big-endian 8 bytes CRC, 8 bytes creation time (epoch ms) and,
 * from Pinot 1.5, 8 bytes of data CRC. Readers accept 16 bytes or more.
 */
public record CreationMeta(long crc, long creationTimeMs, OptionalLong dataCrc) {

  public static final String FILE_NAME = "creation.meta";
  public static final int MIN_SIZE = 16;

  /** Parses the file's bytes; returns null when fewer than 16 bytes are given. */
  public static @Nullable CreationMeta parse(byte[] bytes, int length) {
    if (length < MIN_SIZE) {
      return null;
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, length);
    long crc = buffer.getLong();
    long creationTime = buffer.getLong();
    OptionalLong dataCrc = length >= 24 ? OptionalLong.of(buffer.getLong()) : OptionalLong.empty();
    return new CreationMeta(crc, creationTime, dataCrc);
  }

  public byte[] toBytes() {
    ByteBuffer buffer = ByteBuffer.allocate(dataCrc.isPresent() ? 24 : 16);
    buffer.putLong(crc).putLong(creationTimeMs);
    dataCrc.ifPresent(buffer::putLong);
    return buffer.array();
  }
}
