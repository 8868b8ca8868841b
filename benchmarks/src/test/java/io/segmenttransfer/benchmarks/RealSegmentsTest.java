package io.segmenttransfer.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.ExtractionRequest;
import io.segmenttransfer.core.extract.ExtractionResult;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Our extractor reads the archives Pinot's own code writes ({@code pinot-tools build-segment
 * --archive}): a real segment built by Pinot 1.5, archived as tar.gz and tar.zst, extracts to the
 * same files with the CRC of its {@code creation.meta}. Skipped when {@code pinot-tools.jar} is not
 * built (a plain {@code mvn test}); run it after {@code mvn -B -o -q package -DskipTests}.
 */
class RealSegmentsTest {

  /** Small enough to build in seconds, large enough for several chunks per column file. */
  private static final long ROWS = 20_000;

  private static Scheduler scheduler;

  @TempDir static Path cache;

  @TempDir Path dataDir;

  @BeforeAll
  static void start() {
    scheduler = Schedulers.newBoundedElastic(4, 64, "real-segments-test");
  }

  @AfterAll
  static void stop() {
    scheduler.dispose();
  }

  @ParameterizedTest
  @EnumSource(
      value = Codec.class,
      names = {"GZIP", "ZSTD"})
  void aPinotBuiltArchiveExtractsToPinotsSegmentWithItsCrc(Codec codec) throws IOException {
    RealSegments segments = new RealSegments(cache, JavaChild.pinotToolsJar());
    assumeTrue(segments.canBuild(), "pinot-tools.jar is not built");

    RealSegments.RealArchive archive = segments.archive(ROWS, 7, codec);
    SegmentId id = SegmentId.of(RealSegments.TABLE_WITH_TYPE, archive.segmentName());
    ExtractionResult result =
        new SegmentExtractor(
                ExtractionConfig.defaults(),
                CrypterRegistry.fromConfig(CrypterConfig.defaults()),
                scheduler)
            .extract(
                new LocalFileSegmentStore(scheduler).read(archive.file().toUri(), 0),
                ExtractionRequest.of(dataDir, id).withExpectedCrc(archive.crc()))
            .block(Duration.ofMinutes(2));

    assertThat(result.crc()).isEqualTo(archive.crc());
    assertThat(result.bytesWritten()).isEqualTo(archive.segmentBytes());
    assertThat(filesAndSizes(result.directory())).isEqualTo(filesAndSizes(archive.segmentDir()));
    // Cached: asking again reuses the same build.
    assertThat(segments.archive(ROWS, 7, codec).file()).isEqualTo(archive.file());
  }

  private static Map<String, Long> filesAndSizes(Path dir) throws IOException {
    Map<String, Long> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        files.put(dir.relativize(p).toString(), Files.size(p));
      }
    }
    return files;
  }
}
