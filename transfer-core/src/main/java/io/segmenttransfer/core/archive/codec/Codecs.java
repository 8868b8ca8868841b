package io.segmenttransfer.core.archive.codec;

import com.github.luben.zstd.Zstd;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.stream.ByteTransform;
import io.segmenttransfer.core.stream.PassThroughTransform;

/**
 * Creates the streaming decoders and encoders behind {@link Codec}. Every transform returned holds
 * native memory or contexts until {@link ByteTransform#close()}; failures on corrupt, truncated or
 * trailing data are {@code InvalidArchiveException}s naming {@code subject}.
 */
public final class Codecs {

  /** gzip's usual trade-off, what {@code gzip} and {@code GZIPOutputStream} use. */
  public static final int DEFAULT_GZIP_LEVEL = GzipEncoder.DEFAULT_LEVEL;

  /** zstd's own default. */
  public static final int DEFAULT_ZSTD_LEVEL = ZstdEncoder.DEFAULT_LEVEL;

  /** The fast LZ4 compressor; 1 to 17 select LZ4 HC at that level. */
  public static final int DEFAULT_LZ4_LEVEL = 0;

  private Codecs() {}

  /** A new streaming decompressor for {@code codec}. */
  public static ByteTransform decoder(Codec codec, String subject) {
    return switch (codec) {
      case GZIP -> new GzipDecoder(subject);
      case ZSTD -> new ZstdDecoder(subject);
      case LZ4 -> new Lz4FrameDecoder(subject);
      case NONE -> new PassThroughTransform();
    };
  }

  /** A new streaming compressor for {@code codec} at its default level. */
  public static ByteTransform encoder(Codec codec, String subject) {
    return switch (codec) {
      case GZIP -> encoder(codec, subject, DEFAULT_GZIP_LEVEL);
      case ZSTD -> encoder(codec, subject, DEFAULT_ZSTD_LEVEL);
      case LZ4 -> encoder(codec, subject, DEFAULT_LZ4_LEVEL);
      case NONE -> new PassThroughTransform();
    };
  }

  /**
   * A new streaming compressor for {@code codec} at {@code level}: gzip 0 to 9, zstd {@code
   * Zstd.minCompressionLevel()} to {@code Zstd.maxCompressionLevel()} (negative levels are zstd's
   * fast modes), lz4 0 (fast) or 1 to 17 (HC); ignored for {@link Codec#NONE}.
   *
   * @throws IllegalArgumentException when the level is out of the codec's range
   */
  public static ByteTransform encoder(Codec codec, String subject, int level) {
    return switch (codec) {
      case GZIP -> new GzipEncoder(subject, checkLevel(codec, level, 0, 9));
      case ZSTD -> new ZstdEncoder(subject, zstdLevel(codec, level));
      case LZ4 -> new Lz4FrameEncoder(subject, checkLevel(codec, level, 0, 17));
      case NONE -> new PassThroughTransform();
    };
  }

  /**
   * A decompressor that decodes the parallel layouts (zstd frames with content sizes, gzip with
   * independent chunks) on {@code settings}' pool, and any other stream of {@code codec} as {@link
   * #decoder(Codec, String)} does.
   */
  public static ByteTransform decoder(Codec codec, String subject, ParallelSettings settings) {
    return switch (codec) {
      case GZIP -> new GzipChunksDecoder(subject, settings);
      case ZSTD -> new ZstdFramesDecoder(subject, settings);
      case LZ4, NONE -> decoder(codec, subject);
    };
  }

  /**
   * A compressor writing {@code codec}'s parallel layout at {@code level}, chunks compressed on
   * {@code settings}' pool: zstd as independent frames, gzip as one member of independent chunks;
   * lz4 and plain tar have none and are written as {@link #encoder(Codec, String, int)} does.
   *
   * @throws IllegalArgumentException when the level is out of the codec's range
   */
  public static ByteTransform encoder(
      Codec codec, String subject, int level, ParallelSettings settings) {
    return switch (codec) {
      case GZIP -> new GzipChunksEncoder(subject, checkLevel(codec, level, 0, 9), settings);
      case ZSTD -> new ZstdFramesEncoder(subject, zstdLevel(codec, level), settings);
      case LZ4, NONE -> encoder(codec, subject, level);
    };
  }

  /** {@code level} checked against zstd's range, which zstd-jni's native library knows. */
  private static int zstdLevel(Codec codec, int level) {
    ZstdNativeLibrary.ensureLoaded();
    return checkLevel(codec, level, Zstd.minCompressionLevel(), Zstd.maxCompressionLevel());
  }

  /** The codec's default level. */
  public static int defaultLevel(Codec codec) {
    return switch (codec) {
      case GZIP -> DEFAULT_GZIP_LEVEL;
      case ZSTD -> DEFAULT_ZSTD_LEVEL;
      case LZ4, NONE -> DEFAULT_LZ4_LEVEL;
    };
  }

  private static int checkLevel(Codec codec, int level, int min, int max) {
    if (level < min || level > max) {
      throw new IllegalArgumentException(
          codec + " compression level " + level + " is not within " + min + ".." + max);
    }
    return level;
  }
}
