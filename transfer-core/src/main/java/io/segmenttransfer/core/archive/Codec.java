package io.segmenttransfer.core.archive;

import io.segmenttransfer.core.archive.codec.Codecs;
import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.stream.ByteTransform;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The compression of a segment archive, detected from magic bytes, never from a file name
 * (docs/protocol.md): {@code 1f 8b} gzip, {@code 28 b5 2f fd} zstd, {@code 04 22 4d 18} lz4 frame,
 * and plain tar with {@code ustar} at offset 257.
 */
public enum Codec {
  GZIP("tar.gz", "application/gzip"),
  ZSTD("tar.zst", "application/zstd"),
  LZ4("tar.lz4", "application/x-lz4"),
  NONE("tar", "application/x-tar");

  /** The most leading bytes {@link #sniff} needs to decide. */
  public static final int SNIFF_BYTES = 262;

  private static final int TAR_MAGIC_OFFSET = 257;
  private static final byte[] USTAR = "ustar".getBytes(StandardCharsets.US_ASCII);

  private final String extension;
  private final String mediaType;

  Codec(String extension, String mediaType) {
    this.extension = extension;
    this.mediaType = mediaType;
  }

  /** The archive file extension, without a leading dot: {@code tar.gz}. */
  public String extension() {
    return extension;
  }

  /** What an archive that matches no format is told it should have been. */
  private static final String EXPECTED = "tar.gz, tar.zst, tar.lz4 or an uncompressed tar";

  /**
   * The codec a flag, a setting or a request names: {@code gzip}, {@code zstd}, {@code lz4} or
   * {@code none}, or an extension ({@code tar.gz} or {@code gz}, {@code tar.zst} or {@code zst},
   * {@code tar.lz4} or {@code lz4}, {@code tar}), in any case; empty for anything else.
   */
  public static Optional<Codec> named(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (Codec codec : values()) {
      if (n.equals(codec.name().toLowerCase(Locale.ROOT))
          || n.equals(codec.extension)
          || ("tar." + n).equals(codec.extension)) {
        return Optional.of(codec);
      }
    }
    return Optional.empty();
  }

  /** The HTTP media type of a stream in this codec. */
  public String mediaType() {
    return mediaType;
  }

  /**
   * Detects the codec from the first bytes of an archive, without moving {@code head}'s position.
   *
   * @param head the first bytes seen so far
   * @param complete true when no more bytes will come (the archive is shorter than {@link
   *     #SNIFF_BYTES})
   * @return the codec, or null when more bytes are needed to decide
   * @throws InvalidArchiveException when the bytes match no supported format
   */
  public static @Nullable Codec sniff(ByteBuffer head, boolean complete, String subject) {
    int n = head.remaining();
    int p = head.position();
    if (n >= 2 && (head.get(p) & 0xff) == 0x1f && (head.get(p + 1) & 0xff) == 0x8b) {
      return GZIP;
    }
    if (n >= 4 && head.getInt(p) == 0x28b52ffd) {
      return ZSTD;
    }
    if (n >= 4 && head.getInt(p) == 0x04224d18) {
      return LZ4;
    }
    if (n >= TAR_MAGIC_OFFSET + USTAR.length) {
      for (int i = 0; i < USTAR.length; i++) {
        if (head.get(p + TAR_MAGIC_OFFSET + i) != USTAR[i]) {
          throw unknown(head, subject);
        }
      }
      return NONE;
    }
    if (complete) {
      if (n == 0) {
        throw new InvalidArchiveException(subject, "archive is empty");
      }
      // No magic matched and the stream ended before a tar header's magic could: a compressed
      // archive would have shown its magic already, so this is something else altogether, or a
      // plain tar cut within its first header.
      throw new InvalidArchiveException(
          subject,
          "not a segment archive, or a tar truncated within its first header: its "
              + n
              + " bytes match none of the supported formats ("
              + EXPECTED
              + ")");
    }
    return null;
  }

  private static InvalidArchiveException unknown(ByteBuffer head, String subject) {
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < Math.min(4, head.remaining()); i++) {
      hex.append(String.format("%02x ", head.get(head.position() + i) & 0xff));
    }
    return new InvalidArchiveException(
        subject,
        "unrecognised archive format (first bytes "
            + hex.toString().trim()
            + "): expected "
            + EXPECTED);
  }

  /** A new streaming decompressor for this codec. */
  public ByteTransform newDecoder(String subject) {
    return Codecs.decoder(this, subject);
  }

  /** A new streaming compressor for this codec at its default level. */
  public ByteTransform newEncoder(String subject) {
    return Codecs.encoder(this, subject);
  }
}
