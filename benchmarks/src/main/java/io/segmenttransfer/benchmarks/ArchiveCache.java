package io.segmenttransfer.benchmarks;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.codec.ParallelSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * Generated archives kept on disk between runs, keyed by everything that determines their bytes
 * (generator version, segment name, size, seed, codec, level), so the minutes gzip level 6 takes on
 * a gigabyte are spent once. Each archive has a {@code .properties} sidecar with its CRC and sizes,
 * written last: an archive without one is incomplete and made again.
 */
public final class ArchiveCache {

  /** Bump when the generator's output changes, so stale archives are not reused. */
  static final int GENERATOR_VERSION = 1;

  /** Pinot's {@code TarCompressionUtils} writes gzip at the JDK default, level 6. */
  public static final int PINOT_GZIP_LEVEL = 6;

  /** zstd's default level, what Pinot's zstd archives use. */
  public static final int PINOT_ZSTD_LEVEL = 3;

  private static final int WRITE_CHUNK = 1024 * 1024;

  private final Path root;

  public ArchiveCache(Path root) {
    this.root = root;
  }

  /**
   * {@code benchmarks/target/bench-data}, found from the repository root or the module directory.
   */
  public static ArchiveCache defaultLocation() {
    return new ArchiveCache(BenchPaths.target().resolve("bench-data"));
  }

  public Path root() {
    return root;
  }

  /** The level Pinot writes {@code codec} archives with. */
  public static int pinotLevel(Codec codec) {
    return codec == Codec.GZIP ? PINOT_GZIP_LEVEL : PINOT_ZSTD_LEVEL;
  }

  /** The archive of {@code spec} at Pinot's level, generated unless cached. Blocking. */
  public CachedArchive archive(SegmentSpec spec, Codec codec) {
    return archive(spec, codec, pinotLevel(codec));
  }

  /**
   * The archive of {@code spec}, generated unless cached. Blocking; safe to call from several
   * processes.
   */
  public CachedArchive archive(SegmentSpec spec, Codec codec, int level) {
    return archive(spec, codec, level, false);
  }

  /**
   * The archive of {@code spec} at Pinot's level in our parallel layout (zstd frames, gzip
   * independent chunks, as our servers write them) when {@code parallel}, else as one stream.
   */
  public CachedArchive archive(SegmentSpec spec, Codec codec, boolean parallel) {
    return archive(spec, codec, pinotLevel(codec), parallel);
  }

  /** The archive of {@code spec}, generated unless cached. Blocking. */
  public CachedArchive archive(SegmentSpec spec, Codec codec, int level, boolean parallel) {
    String key =
        "v"
            + GENERATOR_VERSION
            + "/"
            + spec.table()
            + "/"
            + spec.segmentName()
            + "-"
            + spec.totalBytes()
            + "-s"
            + spec.seed()
            + "-"
            + codec.name().toLowerCase(java.util.Locale.ROOT)
            + level
            + (parallel ? "-parallel" : "");
    Path file = root.resolve(key + "." + codec.extension());
    Path sidecar = root.resolve(key + ".properties");
    try {
      if (Files.isRegularFile(sidecar) && Files.isRegularFile(file)) {
        return read(file, sidecar, spec, codec, level);
      }
      Files.createDirectories(file.getParent());
      Path temp = Files.createTempFile(file.getParent(), ".gen-", ".part");
      try {
        CachedArchive written = write(temp, spec, codec, level, parallel);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Properties props = new Properties();
        props.setProperty("crc", Long.toString(written.crc()));
        props.setProperty("uncompressedBytes", Long.toString(written.uncompressedBytes()));
        props.setProperty("tarBytes", Long.toString(written.tarBytes()));
        props.setProperty("archiveBytes", Long.toString(written.archiveBytes()));
        Path tempProps = Files.createTempFile(file.getParent(), ".gen-", ".part");
        try (OutputStream out = Files.newOutputStream(tempProps)) {
          props.store(out, "generated segment archive");
        }
        Files.move(
            tempProps,
            sidecar,
            StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
        return read(file, sidecar, spec, codec, level);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not generate " + file, e);
    }
  }

  private static CachedArchive write(
      Path target, SegmentSpec spec, Codec codec, int level, boolean parallel) throws IOException {
    ByteBuffer chunk = ByteBuffer.allocateDirect(WRITE_CHUNK);
    try (SegmentArchiveGenerator generator =
            new SegmentArchiveGenerator(
                new SyntheticSegment(spec),
                codec,
                level,
                parallel ? ParallelSettings.defaults() : null);
        FileChannel out =
            FileChannel.open(
                target, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      while (generator.read(chunk.clear()) >= 0) {
        chunk.flip();
        while (chunk.hasRemaining()) {
          out.write(chunk);
        }
      }
      return new CachedArchive(
          target,
          spec,
          codec,
          level,
          generator.crc(),
          generator.uncompressedBytes(),
          generator.tarBytes(),
          generator.archiveBytes());
    }
  }

  private static CachedArchive read(
      Path file, Path sidecar, SegmentSpec spec, Codec codec, int level) throws IOException {
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(sidecar)) {
      props.load(in);
    }
    return new CachedArchive(
        file,
        spec,
        codec,
        level,
        Long.parseLong(props.getProperty("crc")),
        Long.parseLong(props.getProperty("uncompressedBytes")),
        Long.parseLong(props.getProperty("tarBytes")),
        Files.size(file));
  }
}
