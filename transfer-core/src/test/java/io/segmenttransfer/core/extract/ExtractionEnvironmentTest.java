package io.segmenttransfer.core.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.crypto.TinkStreamingCrypter;
import io.segmenttransfer.core.error.CrypterException;
import io.segmenttransfer.core.error.SegmentWriteException;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.BlockingCalls;
import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.core.testing.TestArchives;
import io.segmenttransfer.core.testing.Transforms;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The pipeline under a full disk, under BlockHound, and with an encrypted archive. */
class ExtractionEnvironmentTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final TableNameWithType TABLE = TableNameWithType.parse("events_OFFLINE");
  private static final String SEGMENT = "events_9_9_0";

  private static Scheduler scheduler;

  @TempDir Path tempDir;

  @BeforeAll
  static void start() {
    scheduler = Schedulers.newBoundedElastic(4, 1000, "extract-env-test");
  }

  @AfterAll
  static void stop() {
    scheduler.dispose();
  }

  private static SegmentExtractor extractor(CrypterRegistry crypters) {
    return new SegmentExtractor(ExtractionConfig.defaults(), crypters, scheduler);
  }

  @Test
  void aFullDiskFailsTheExtractionAndKeepsTheOldCopy() throws IOException {
    // Jimfs is a real file system implementation with a size limit: writes fail with an IOException
    // exactly where a full disk would.
    try (FileSystem fs =
        Jimfs.newFileSystem(Configuration.unix().toBuilder().setMaxSize(3L << 20).build())) {
      Path dataDir = fs.getPath("/data");
      SegmentExtractor extractor = extractor(CrypterRegistry.fromConfig(CrypterConfig.defaults()));
      Map<String, byte[]> small = TestArchives.randomSegment(new Random(1), 2, 10_000);
      extractor
          .extract(
              TestArchives.chunks(TestArchives.archive(Codec.GZIP, SEGMENT, small), 8192),
              ExtractionRequest.of(dataDir, TABLE))
          .block(TIMEOUT);
      Path segmentDir = dataDir.resolve(TABLE.toString()).resolve(SEGMENT);
      Map<String, byte[]> before = readAll(segmentDir);

      Map<String, byte[]> big = TestArchives.randomSegment(new Random(2), 8, 1_000_000);
      StepVerifier.create(
              extractor.extract(
                  TestArchives.chunks(TestArchives.archive(Codec.ZSTD, SEGMENT, big), 65536),
                  ExtractionRequest.of(dataDir, TABLE)))
          .expectErrorSatisfies(
              e ->
                  assertThat(e)
                      .isInstanceOf(SegmentWriteException.class)
                      .hasMessageContaining(SEGMENT)
                      .hasMessageContaining("could not write"))
          .verify(TIMEOUT);

      assertThat(readAll(segmentDir)).containsOnlyKeys(before.keySet().toArray(String[]::new));
      before.forEach((path, bytes) -> assertThat(readAll(segmentDir).get(path)).isEqualTo(bytes));
      try (var staged = Files.list(dataDir.resolve(TABLE.toString()).resolve("tmp"))) {
        assertThat(staged).isEmpty();
      }
    }
  }

  @Test
  void runsNoBlockingCallOnNonBlockingThreads() {
    // BlockHound is installed for the whole test JVM (TestGuards). Prove it is armed: a sleep on a
    // parallel (non-blocking) thread must be caught; the provoked call is drained so it fails
    // nothing.
    assertThatThrownBy(
            () ->
                Mono.fromCallable(
                        () -> {
                          Thread.sleep(1);
                          return 1;
                        })
                    .subscribeOn(Schedulers.parallel())
                    .block(TIMEOUT))
        .hasCauseInstanceOf(BlockingOperationError.class);
    assertThat(BlockingCalls.drain()).singleElement().asString().contains("sleep");

    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    Path dataDir = tempDir.resolve("data");
    // The source emits on parallel threads, as a network client's event loop would.
    var source =
        TestArchives.chunks(PinotFixtures.bytes(fixture), 16 * 1024)
            .publishOn(Schedulers.parallel(), 2);

    ExtractionResult result =
        extractor(CrypterRegistry.fromConfig(CrypterConfig.defaults()))
            .extract(source, ExtractionRequest.of(dataDir, TABLE).withExpectedCrc(fixture.crc()))
            .publishOn(Schedulers.parallel())
            .block(TIMEOUT);

    assertThat(result.crc()).isEqualTo(fixture.crc());
  }

  @Test
  void extractsAnArchiveEncryptedWithTheTinkCrypter() throws IOException {
    Path keyset = tempDir.resolve("keyset.json");
    Files.writeString(keyset, TinkStreamingCrypter.generateKeysetJson());
    CrypterRegistry crypters = CrypterRegistry.fromConfig(CrypterConfig.tink(keyset));
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.zst");
    byte[] ciphertext =
        Transforms.apply(
            crypters.resolve(TinkStreamingCrypter.NAME).newEncryptor("test"),
            PinotFixtures.bytes(fixture));
    Path dataDir = tempDir.resolve("data");

    ExtractionResult result =
        extractor(crypters)
            .extract(
                TestArchives.randomChunks(ciphertext, new Random(3), 70_000),
                ExtractionRequest.of(dataDir, TABLE)
                    .withCrypter("tinkstreamingaeadcrypter")
                    .withExpectedCrc(fixture.crc()))
            .block(TIMEOUT);

    assertThat(result.crc()).isEqualTo(fixture.crc());
    assertThat(DirectorySnapshot.of(result.directory())).hasSize(fixture.files().size() + 1);

    // Tampered ciphertext: the crypter refuses it, and nothing is left behind.
    ciphertext[ciphertext.length / 2] ^= 1;
    StepVerifier.create(
            extractor(crypters)
                .extract(
                    TestArchives.chunks(ciphertext, 50_000),
                    ExtractionRequest.of(tempDir.resolve("other"), TABLE)
                        .withCrypter(TinkStreamingCrypter.NAME)))
        .expectError(CrypterException.class)
        .verify(TIMEOUT);
    Path otherTable = tempDir.resolve("other").resolve(TABLE.toString());
    assertThat(DirectorySnapshot.of(otherTable.resolve("tmp"))).as("staging leftovers").isEmpty();
    assertThat(otherTable.resolve(fixture.segmentName())).doesNotExist();
  }

  private static Map<String, byte[]> readAll(Path dir) {
    try (var walk = Files.walk(dir)) {
      Map<String, byte[]> files = new java.util.TreeMap<>();
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (Files.isRegularFile(p)) {
          files.put(dir.relativize(p).toString(), Files.readAllBytes(p));
        }
      }
      return files;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
