package io.segmenttransfer.core.local;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.layout.SegmentPaths;
import io.segmenttransfer.core.layout.SegmentSwap;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.testing.TestArchives;
import io.segmenttransfer.core.transfer.DownloadConfig;
import io.segmenttransfer.core.transfer.PeerFinder;
import io.segmenttransfer.core.transfer.RetryPolicy;
import io.segmenttransfer.core.transfer.SegmentDownloader;
import io.segmenttransfer.core.transfer.SegmentMetadataSource;
import io.segmenttransfer.core.transfer.TransferListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import reactor.core.scheduler.Scheduler;

/** A deep store of real archives on disk and the pieces to build data directories over it. */
final class DataDirectoryHarness {

  static final RetryPolicy FAST =
      new RetryPolicy(2, Duration.ofMillis(5), 2, Duration.ofMillis(20), 0);

  final Path deepStore;
  final Path dataDir;
  final Scheduler scheduler;
  final InstrumentedStore store;

  DataDirectoryHarness(Path root, Scheduler scheduler) {
    this.deepStore = root.resolve("deepstore");
    this.dataDir = root.resolve("data");
    this.scheduler = scheduler;
    this.store = new InstrumentedStore(new LocalFileSegmentStore(scheduler, 64 * 1024));
  }

  SegmentDataDirectory directory() {
    return directory(
        DataDirectoryConfig.defaults(),
        SegmentSwap.StepObserver.NONE,
        null,
        PeerFinder.NONE,
        dataDir);
  }

  SegmentDataDirectory directory(
      DataDirectoryConfig config,
      SegmentSwap.StepObserver observer,
      SegmentMetadataSource metadataSource,
      PeerFinder peers,
      Path onDataDir) {
    SegmentExtractor extractor =
        new SegmentExtractor(
            ExtractionConfig.defaults(),
            CrypterRegistry.fromConfig(CrypterConfig.defaults()),
            scheduler,
            observer);
    SegmentDownloader downloader =
        new SegmentDownloader(
            extractor,
            new SegmentStores(List.of(store)),
            peers,
            DownloadConfig.defaults().withRetries(FAST, FAST));
    return new SegmentDataDirectory(
        onDataDir,
        downloader,
        config,
        scheduler,
        peers,
        metadataSource,
        TransferListener.NONE,
        observer);
  }

  /** Version {@code seed} of a segment's files (creation.meta included). */
  static Map<String, byte[]> version(long seed) {
    return TestArchives.randomSegment(new Random(seed), 3, 40_000);
  }

  /** Writes version {@code seed} of the segment to the deep store and returns its metadata. */
  SegmentMetadata publish(SegmentId segment, long seed) {
    Map<String, byte[]> files = version(seed);
    Path archive =
        deepStore
            .resolve(segment.table().toString())
            .resolve(segment.segmentName() + "-v" + seed + ".tar.gz");
    try {
      Files.createDirectories(archive.getParent());
      Files.write(archive, TestArchives.archive(Codec.GZIP, segment.segmentName(), files));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> fields = new HashMap<>();
    fields.put(SegmentMetadata.CRC, Long.toString(TestArchives.crcOf(files)));
    fields.put(SegmentMetadata.DOWNLOAD_URL, archive.toUri().toString());
    return SegmentMetadata.of(segment, fields);
  }

  /** Expected snapshot (path -> sha256) of version {@code seed}. */
  static Map<String, String> snapshotOf(long seed) {
    Map<String, String> expected = new TreeMap<>();
    version(seed).forEach((path, bytes) -> expected.put(path, DirectorySnapshot.sha256(bytes)));
    return expected;
  }

  /** The files (directories left out) of the segment's directory under a data dir. */
  static Map<String, String> filesOf(Path dataDir, SegmentId segment) {
    Map<String, String> files =
        new TreeMap<>(DirectorySnapshot.of(new SegmentPaths(dataDir, segment).segmentDir()));
    files.values().removeIf("dir"::equals);
    return files;
  }

  /** Names of leftovers of a table: backups, temp copies and anything staged. */
  static List<String> leftovers(Path dataDir, SegmentId segment) {
    SegmentPaths paths = new SegmentPaths(dataDir, segment);
    List<String> found = new java.util.ArrayList<>();
    if (Files.exists(paths.backupDir())) {
      found.add(paths.backupDir().getFileName().toString());
    }
    if (Files.exists(paths.tempDir())) {
      found.add(paths.tempDir().getFileName().toString());
    }
    if (Files.isDirectory(paths.stagingRoot())) {
      try (Stream<Path> staged = Files.list(paths.stagingRoot())) {
        staged.forEach(p -> found.add("tmp/" + p.getFileName()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return found;
  }
}
