package io.segmenttransfer.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segmenttransfer.core.archive.ArchiveOptions;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.SegmentArchives;
import io.segmenttransfer.core.segment.CreationMeta;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import reactor.core.scheduler.Schedulers;

/**
 * Real Pinot 1.5 segments and their archives, built by Pinot's own code ({@code pinot-tools.jar
 * build-segment}, run as a child JVM so Pinot stays off the benchmarks' classpath) and kept under
 * {@code benchmarks/target/bench-data/real}, keyed by rows, seed and codec: about 1.7 M rows make a
 * 120 MiB segment, which takes Pinot a minute or two to build, so it is built once.
 *
 * <p>A cache entry is a directory holding {@code segment/<name>/} (the segment), {@code
 * archive.tar.gz} or {@code archive.tar.zst} (Pinot's {@code createCompressedTarFile} of it) and
 * {@code build.json} (what {@code build-segment --json} printed). It is built under a temporary
 * name and renamed when whole, so an interrupted build is never reused.
 */
public final class RealSegments {

  /** Bump when the way entries are built changes, so stale ones are not reused. */
  static final int LAYOUT_VERSION = 1;

  /** The table {@code build-segment} creates segments of; extraction names it with its type. */
  public static final String TABLE = "events";

  public static final String TABLE_WITH_TYPE = TABLE + "_OFFLINE";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path root;
  private final Path pinotTools;

  RealSegments(Path root, Path pinotTools) {
    this.root = root;
    this.pinotTools = pinotTools;
  }

  /** Under {@code benchmarks/target/bench-data/real}, built with the reactor's pinot-tools.jar. */
  public static RealSegments defaultLocation() {
    return new RealSegments(
        ArchiveCache.defaultLocation().root().resolve("real").resolve("v" + LAYOUT_VERSION),
        JavaChild.pinotToolsJar());
  }

  /** Whether pinot-tools.jar is built, i.e. whether {@link #archive} can build what is missing. */
  public boolean canBuild() {
    return Files.isRegularFile(pinotTools);
  }

  /**
   * A real segment of {@code rows} rows from {@code seed}, archived by Pinot with {@code codec}
   * (gzip or zstd), built unless cached. Blocking; a build takes Pinot about a minute per million
   * rows on a quiet 2-core machine.
   */
  public RealArchive archive(long rows, long seed, Codec codec) {
    if (codec != Codec.GZIP && codec != Codec.ZSTD) {
      throw new IllegalArgumentException(
          "Pinot's build-segment archives gzip or zstd, not " + codec);
    }
    String name = codec.name().toLowerCase(Locale.ROOT);
    String key = TABLE + "-r" + rows + "-s" + seed + "-" + name;
    Path dir = root.resolve(key);
    try {
      if (!Files.isRegularFile(dir.resolve("build.json"))) {
        build(dir, rows, seed, codec);
      }
      return read(dir, rows, seed, codec);
    } catch (IOException e) {
      throw new UncheckedIOException("could not build the real segment " + dir, e);
    }
  }

  private void build(Path dir, long rows, long seed, Codec codec) throws IOException {
    Files.createDirectories(root);
    Path temp = Files.createTempDirectory(root, "." + dir.getFileName() + ".part-");
    try {
      JavaChild.Run run =
          JavaChild.run(
              pinotTools,
              List.of(
                  "build-segment",
                  "--out",
                  temp.resolve("segment").toString(),
                  "--rows",
                  Long.toString(rows),
                  "--seed",
                  Long.toString(seed),
                  "--table",
                  TABLE,
                  "--archive",
                  codec.name().toLowerCase(Locale.ROOT),
                  "--archive-out",
                  temp.resolve(archiveName(codec)).toString(),
                  "--json"));
      Files.writeString(temp.resolve("build.json"), run.json().toString());
      Files.move(temp, dir, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      if (Files.exists(temp)) {
        Directories.deleteRecursively(temp);
      }
    }
  }

  private static String archiveName(Codec codec) {
    return "archive." + codec.extension();
  }

  private static RealArchive read(Path dir, long rows, long seed, Codec codec) throws IOException {
    JsonNode build = JSON.readTree(Files.readString(dir.resolve("build.json")));
    String segmentName = build.get("segmentName").asText();
    Path segmentDir = dir.resolve("segment").resolve(segmentName);
    Path archive = dir.resolve(archiveName(codec));
    return new RealArchive(
        archive,
        codec,
        rows,
        seed,
        segmentName,
        segmentDir,
        crcOf(segmentDir),
        build.get("bytes").asLong(),
        Files.size(archive),
        build.get("seconds").asDouble());
  }

  /** The CRC Pinot wrote into the segment's {@code creation.meta} (top level or {@code v3/}). */
  static long crcOf(Path segmentDir) throws IOException {
    return creationMetaOf(segmentDir).crc();
  }

  /** The segment's {@code creation.meta} (top level or {@code v3/}). */
  static CreationMeta creationMetaOf(Path segmentDir) throws IOException {
    Optional<Path> meta;
    try (Stream<Path> files = Files.walk(segmentDir, 2)) {
      meta =
          files.filter(p -> p.getFileName().toString().equals(CreationMeta.FILE_NAME)).findFirst();
    }
    if (meta.isEmpty()) {
      throw new IOException("no " + CreationMeta.FILE_NAME + " in " + segmentDir);
    }
    byte[] bytes = Files.readAllBytes(meta.get());
    CreationMeta parsed = CreationMeta.parse(bytes, bytes.length);
    if (parsed == null) {
      throw new IOException("unreadable " + meta.get());
    }
    return parsed;
  }

  /**
   * Our archive of a real segment in the parallel layout our servers write (zstd frames, gzip
   * independent chunks) at Pinot's level for the codec, built once beside Pinot's archive of it
   * (under a temporary name, renamed when whole) and reused. Blocking.
   */
  public static Path ourParallelArchive(RealArchive real) throws IOException {
    String name = "ours-parallel." + real.codec().extension();
    Path target = real.file().resolveSibling(name);
    if (Files.isRegularFile(target)) {
      return target;
    }
    Path temp = target.resolveSibling(name + ".tmp");
    Codec codec = real.codec();
    try (FileChannel out =
        FileChannel.open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      for (ByteBuffer chunk :
          SegmentArchives.stream(
                  real.segmentDir(),
                  real.segmentName(),
                  creationMetaOf(real.segmentDir()).creationTimeMs(),
                  codec,
                  ArchiveOptions.defaults(codec).withLevel(ArchiveCache.pinotLevel(codec)),
                  Schedulers.boundedElastic(),
                  () -> null)
              .toIterable(4)) {
        while (chunk.hasRemaining()) {
          out.write(chunk);
        }
      }
    }
    return Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * A real segment's archive as Pinot wrote it.
   *
   * @param file the archive
   * @param codec its compression
   * @param rows rows in the segment
   * @param seed the rows' seed
   * @param segmentName the segment's name (the archive's top-level directory)
   * @param segmentDir the segment Pinot built, as a directory
   * @param crc the segment CRC from its {@code creation.meta}
   * @param segmentBytes the sum of the segment's file sizes
   * @param archiveBytes the archive's size
   * @param buildSeconds how long Pinot took to build the segment
   */
  public record RealArchive(
      Path file,
      Codec codec,
      long rows,
      long seed,
      String segmentName,
      Path segmentDir,
      long crc,
      long segmentBytes,
      long archiveBytes,
      double buildSeconds) {

    /** Uncompressed over compressed size. */
    public double compressionRatio() {
      return (double) segmentBytes / archiveBytes;
    }
  }
}
