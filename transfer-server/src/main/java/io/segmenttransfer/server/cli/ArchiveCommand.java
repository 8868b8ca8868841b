package io.segmenttransfer.server.cli;

import io.segmenttransfer.core.archive.ArchiveOptions;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.SegmentArchives;
import io.segmenttransfer.core.archive.codec.CodecPool;
import io.segmenttransfer.core.archive.codec.Codecs;
import io.segmenttransfer.core.archive.codec.ParallelSettings;
import io.segmenttransfer.core.error.CrcMismatchException;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.local.SegmentDataDirectory;
import io.segmenttransfer.core.segment.CreationMeta;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.server.quickstart.SampleSegments;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@code archive}: builds a segment directory's archive the way our servers write them (the
 * parallel layouts, every core), after checking the files against the CRC in {@code creation.meta},
 * for pushing a segment ({@code curl -F file=@...} to a controller) or converting a deep store by
 * hand. The file appears whole or not at all: it is written under a temporary name beside the
 * target and renamed, and removed on any failure. Exit 0 when written, 1 when the work failed (CRC
 * mismatch, I/O), 2 for bad flags or a directory that is not a segment.
 */
@Command(
    name = "archive",
    mixinStandardHelpOptions = true,
    description = {
      "Builds a segment's archive (tar, then gzip, zstd or lz4) from its directory, as servers",
      "write them: chunks compressed on every core, readable by any tar/gzip/zstd reader and by Pinot.",
      "The segment's CRC is verified first."
    })
final class ArchiveCommand implements Callable<Integer> {

  @Option(
      names = "--segment-dir",
      required = true,
      paramLabel = "DIR",
      description = "The segment directory; its name is the segment name.")
  Path segmentDir;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "The archive to write (replaced if it exists).")
  Path out;

  @Option(
      names = "--codec",
      paramLabel = "CODEC",
      defaultValue = "gzip",
      description = "gzip, zstd or lz4. Default: ${DEFAULT-VALUE}.")
  String codec;

  @Option(
      names = "--level",
      paramLabel = "N",
      description = "Compression level. Default: the codec's (gzip 6, zstd 3, lz4 0 = fast).")
  Integer level;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description =
          "Threads compressing at once. Default: one per core. 1 writes a plain single stream"
              + " (the layout before the parallel ones); the parallel layout's bytes do not"
              + " depend on N.")
  Integer threads;

  @Mixin OutputOptions output;

  @Override
  public Integer call() throws Exception {
    Path dir = segmentDir.toAbsolutePath().normalize();
    String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
    SegmentId.validateSegmentName(name);
    Codec format = parseCodec(name);
    ArchiveOptions options = options(format, name);
    Path target = target(name);
    CreationMeta meta = checkSegment(dir, name);

    long started = System.nanoTime();
    long bytesIn = sizeOf(dir);
    Path temporary =
        target.resolveSibling("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
    Scheduler scheduler = Schedulers.newBoundedElastic(1, 16, "archive");
    long bytesOut = 0;
    // Closing the stream cancels the archive's production when a write fails.
    try (FileChannel channel =
            FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Stream<ByteBuffer> chunks =
            SegmentArchives.stream(
                    dir, name, meta.creationTimeMs(), format, options, scheduler, () -> null)
                .toStream(4)) {
      for (Iterator<ByteBuffer> it = chunks.iterator(); it.hasNext(); ) {
        ByteBuffer chunk = it.next();
        while (chunk.hasRemaining()) {
          bytesOut += channel.write(chunk);
        }
      }
      channel.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temporary);
      throw e;
    } finally {
      scheduler.dispose();
    }
    try {
      Files.move(
          temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      Files.deleteIfExists(temporary);
      throw e;
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    output.print(
        new ArchiveSummary(
            name,
            meta.crc(),
            target.toString(),
            format.name().toLowerCase(Locale.ROOT),
            options.level(),
            options.parallel() == null ? "single-stream" : "parallel",
            options.parallel() == null ? 1 : options.parallel().threads(),
            bytesIn,
            bytesOut,
            millis));
    return 0;
  }

  private Codec parseCodec(String subject) {
    return Codec.named(codec)
        .filter(named -> named != Codec.NONE)
        .orElseThrow(
            () ->
                new InvalidRequestException(
                    subject, "unknown codec '" + codec + "': expected gzip, zstd or lz4"));
  }

  private ArchiveOptions options(Codec format, String subject) {
    int chosenLevel = level == null ? Codecs.defaultLevel(format) : level;
    try {
      Codecs.encoder(format, subject, chosenLevel).close();
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(subject, e.getMessage());
    }
    if (threads != null && threads < 1) {
      throw new InvalidRequestException(subject, "--threads must be at least 1, was " + threads);
    }
    // lz4 has no parallel layout: one stream, whatever the thread count.
    if (threads != null && threads == 1 || format == Codec.LZ4) {
      return new ArchiveOptions(chosenLevel, null);
    }
    ParallelSettings settings =
        threads == null
            ? ParallelSettings.defaults()
            : ParallelSettings.ofThreads(threads).withPool(CodecPool.newPool(threads));
    return new ArchiveOptions(chosenLevel, settings);
  }

  private Path target(String subject) {
    Path target = out.toAbsolutePath().normalize();
    if (Files.isDirectory(target)) {
      throw new InvalidRequestException(subject, "--out " + out + " is a directory");
    }
    if (target.getParent() == null || !Files.isDirectory(target.getParent())) {
      throw new InvalidRequestException(subject, "--out " + out + ": its directory does not exist");
    }
    return target;
  }

  /** The directory must be a segment whose files add up to the CRC of its creation.meta. */
  private static CreationMeta checkSegment(Path dir, String subject) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new InvalidRequestException(
          subject, "segment directory " + dir + " does not exist or is not a directory");
    }
    CreationMeta meta =
        SegmentDataDirectory.readCreationMeta(dir)
            .orElseThrow(
                () ->
                    new InvalidRequestException(
                        subject,
                        dir
                            + " is not a Pinot segment: no creation.meta of at least "
                            + CreationMeta.MIN_SIZE
                            + " bytes in v3/ or at the top"));
    long computed = SampleSegments.crcOf(dir);
    if (computed != meta.crc()) {
      throw new CrcMismatchException(subject, "creation.meta of " + dir, meta.crc(), computed);
    }
    return meta;
  }

  private static long sizeOf(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      return walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .sum();
    }
  }
}
