package io.segmenttransfer.core.extract;

import static io.segmenttransfer.core.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.archive.ArchiveLimits;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.TarFixtures;
import io.segmenttransfer.core.archive.codec.CodecPool;
import io.segmenttransfer.core.archive.codec.Codecs;
import io.segmenttransfer.core.archive.codec.ParallelSettings;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.error.ArchiveLimitExceededException;
import io.segmenttransfer.core.error.CrcMismatchException;
import io.segmenttransfer.core.error.CrypterException;
import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.error.SegmentTransferException;
import io.segmenttransfer.core.error.SegmentWriteException;
import io.segmenttransfer.core.segment.CreationMeta;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.core.testing.TestArchives;
import io.segmenttransfer.core.testing.Transforms;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class SegmentExtractorTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final TableNameWithType TABLE = TableNameWithType.parse(PinotFixtures.TABLE);
  private static final String SEGMENT = "events_1_2_0";

  private static Scheduler scheduler;

  @TempDir Path dataDir;

  @BeforeAll
  static void startScheduler() {
    scheduler = Schedulers.newBoundedElastic(4, 1000, "extract-test");
  }

  @AfterAll
  static void stopScheduler() {
    scheduler.dispose();
  }

  private SegmentExtractor extractor() {
    return extractor(ExtractionConfig.defaults());
  }

  private SegmentExtractor extractor(ExtractionConfig config) {
    return new SegmentExtractor(
        config, CrypterRegistry.fromConfig(CrypterConfig.defaults()), scheduler);
  }

  private ExtractionRequest request() {
    return ExtractionRequest.of(dataDir, TABLE);
  }

  private Path tableDir() {
    return dataDir.resolve(TABLE.toString());
  }

  static Stream<PinotFixtures.Archive> fixtures() {
    return PinotFixtures.archives().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void extractsEveryPinotFixtureToTheManifest(PinotFixtures.Archive fixture) {
    byte[] bytes = PinotFixtures.bytes(fixture);

    ExtractionResult result =
        extractor()
            .extract(
                TestArchives.chunks(bytes, 64 * 1024), request().withExpectedCrc(fixture.crc()))
            .block(TIMEOUT);

    assertThat(result.crc()).isEqualTo(fixture.crc());
    assertThat(result.segment().segmentName()).isEqualTo(fixture.segmentName());
    assertThat(result.directory()).isEqualTo(tableDir().resolve(fixture.segmentName()));
    assertThat(result.codec())
        .isEqualTo(fixture.format().equals("tar.gz") ? Codec.GZIP : Codec.ZSTD);
    assertThat(result.archiveBytes()).isEqualTo(fixture.size());
    assertThat(result.creationMeta().crc()).isEqualTo(fixture.crc());
    Map<String, String> expected = new TreeMap<>();
    fixture.files().values().forEach(f -> expected.put(f.path(), f.sha256()));
    Map<String, String> actual = new TreeMap<>(DirectorySnapshot.of(result.directory()));
    actual.values().removeIf("dir"::equals);
    assertThat(actual).isEqualTo(expected);
    assertThat(result.bytesWritten())
        .isEqualTo(
            fixture.files().values().stream().mapToLong(PinotFixtures.FileEntry::size).sum());
    assertNoLeftovers();
  }

  @Test
  void oneByteChunksGiveTheSameSegment() {
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.zst");
    byte[] bytes = PinotFixtures.bytes(fixture);

    StepVerifier.create(extractor().extract(TestArchives.chunks(bytes, 1), request()))
        .assertNext(result -> assertThat(result.crc()).isEqualTo(fixture.crc()))
        .expectComplete()
        .verify(Duration.ofSeconds(120));
  }

  @ParameterizedTest
  @EnumSource(Codec.class)
  void roundTripsRandomSegmentsInRandomChunks(Codec codec) {
    Random random = new Random(codec.ordinal() * 31L + 7);
    for (int round = 0; round < 4; round++) {
      Map<String, byte[]> files = TestArchives.randomSegment(random, 6, 300_000);
      String longName = "v3/" + "x".repeat(120) + "/" + "y".repeat(150) + ".idx";
      files = new TreeMap<>(files);
      files.put(longName, "long".getBytes());
      files = TestArchives.segmentFiles(withoutCreationMeta(files));
      byte[] archive = TestArchives.archive(codec, SEGMENT, files);
      Flux<ByteBuffer> chunks =
          TestArchives.randomChunks(archive, random, round % 2 == 0 ? 17 : 100_000);

      ExtractionResult result =
          extractor()
              .extract(chunks, request().withExpectedCrc(TestArchives.crcOf(files)))
              .block(TIMEOUT);

      assertThat(result.codec()).isEqualTo(codec);
      assertThat(result.crc()).isEqualTo(TestArchives.crcOf(files));
      assertSegmentEquals(result.directory(), files);
      assertNoLeftovers();
    }
  }

  @Test
  void namesTheSegmentAfterTheRequestWhenGiven() {
    Map<String, byte[]> files = TestArchives.randomSegment(new Random(1), 2, 1000);
    byte[] archive = TestArchives.archive(Codec.GZIP, "whatever_the_tar_says", files);

    ExtractionResult result =
        extractor()
            .extract(TestArchives.chunks(archive, 4096), request().withSegmentName(SEGMENT))
            .block(TIMEOUT);

    assertThat(result.directory()).isEqualTo(tableDir().resolve(SEGMENT));
    assertSegmentEquals(result.directory(), files);
  }

  @Test
  void replacesAnExistingCopyAtomicallyAndLeavesNoBackup() {
    Map<String, byte[]> oldFiles = TestArchives.randomSegment(new Random(1), 3, 5000);
    Map<String, byte[]> newFiles = TestArchives.randomSegment(new Random(2), 4, 5000);
    extractor()
        .extract(
            TestArchives.chunks(TestArchives.archive(Codec.GZIP, SEGMENT, oldFiles), 8192),
            request())
        .block(TIMEOUT);

    ExtractionResult result =
        extractor()
            .extract(
                TestArchives.chunks(TestArchives.archive(Codec.ZSTD, SEGMENT, newFiles), 8192),
                request())
            .block(TIMEOUT);

    assertThat(result.replaced()).isTrue();
    assertSegmentEquals(tableDir().resolve(SEGMENT), newFiles);
    assertThat(tableDir().resolve(SEGMENT + ".segment.bak")).doesNotExist();
    assertThat(tableDir().resolve(SEGMENT + ".segment.tmp")).doesNotExist();
    assertNoLeftovers();
  }

  // ---- bad input: a specific error, no staging left, the previous copy untouched ----

  @Test
  void refusesAnEntryThatEscapesTheSegmentDirectory() {
    byte[] tar =
        TestArchives.tar(
            out -> {
              try {
                TestArchives.putDirectory(out, SEGMENT + "/");
                TestArchives.putFile(out, SEGMENT + "/../../evil", "x".getBytes());
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    assertFailsAndKeepsOldCopy(
        TestArchives.compress(Codec.GZIP, tar), InvalidArchiveException.class, "evil");
    assertThat(dataDir.resolve("evil")).doesNotExist();
  }

  @Test
  void refusesASymlink() {
    byte[] tar =
        TestArchives.tar(
            out -> {
              try {
                TestArchives.putDirectory(out, SEGMENT + "/");
                TarArchiveEntry link =
                    new TarArchiveEntry(SEGMENT + "/v3", TarArchiveEntry.LF_SYMLINK);
                link.setLinkName("/etc");
                out.putArchiveEntry(link);
                out.closeArchiveEntry();
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    assertFailsAndKeepsOldCopy(
        TestArchives.compress(Codec.GZIP, tar), InvalidArchiveException.class, "v3");
  }

  @Test
  void refusesAnAbsolutePath() {
    // commons-compress strips a leading '/', so the header is written by hand.
    byte[] tar = TarFixtures.fileNamed("/tmp/evil-absolute", "x".getBytes());
    assertFailsAndKeepsOldCopy(
        TestArchives.compress(Codec.GZIP, tar), InvalidArchiveException.class, "evil-absolute");
    assertThat(Path.of("/tmp/evil-absolute")).doesNotExist();
  }

  @ParameterizedTest
  @EnumSource(
      value = Codec.class,
      names = {"GZIP", "ZSTD", "NONE"})
  void refusesTruncatedArchivesAtEveryStage(Codec codec) {
    Map<String, byte[]> files = TestArchives.randomSegment(new Random(5), 3, 50_000);
    byte[] tar = TestArchives.tar(SEGMENT, files);
    byte[] archive = TestArchives.compress(codec, tar);
    // mid-header, mid-file, just before the end: cut points across the whole archive
    for (int cut :
        new int[] {
          100, archive.length / 3, archive.length / 2, archive.length - 9, archive.length - 1
        }) {
      assertFailsAndKeepsOldCopy(
          Arrays.copyOf(archive, cut), InvalidArchiveException.class, "truncated");
    }
  }

  @Test
  void refusesATarWithoutItsEndOfArchiveBlocks() {
    Map<String, byte[]> files = TestArchives.randomSegment(new Random(6), 2, 3000);
    byte[] tar = TestArchives.tar(SEGMENT, files);
    // Drop the two zero blocks and record padding: every file is complete, the end marker is not.
    int end = tar.length;
    while (end > 0 && tar[end - 1] == 0) {
      end--;
    }
    end = (end + 511) / 512 * 512;
    assertFailsAndKeepsOldCopy(
        TestArchives.compress(Codec.GZIP, Arrays.copyOf(tar, end)),
        InvalidArchiveException.class,
        "end");
  }

  @Test
  void refusesACorruptGzipStream() {
    // gzip carries a CRC-32 of its data: the codec itself notices.
    assertFailsAndKeepsOldCopy(corruptMiddle(Codec.GZIP), InvalidArchiveException.class, "gzip");
  }

  @Test
  void refusesACorruptZstdStreamThroughTheSegmentCrc() {
    // zstd frames without a content checksum (the zstd default) decode corrupt bytes silently;
    // the segment CRC, computed from the bytes as they are written, still stops them.
    assertFailsAndKeepsOldCopy(corruptMiddle(Codec.ZSTD), CrcMismatchException.class, "CRC");
  }

  /**
   * A segment in our parallel layout (zstd frames, gzip independent chunks) with 64 KiB chunks, so
   * a small segment spans many.
   */
  private static byte[] parallelArchive(Codec codec, long seed) {
    byte[] tar =
        TestArchives.tar(SEGMENT, TestArchives.randomSegment(new Random(seed), 4, 300_000));
    ParallelSettings settings =
        new ParallelSettings(2, ParallelSettings.MIN_CHUNK_SIZE, 3, CodecPool.shared());
    return Transforms.apply(
        Codecs.encoder(codec, SEGMENT, Codecs.defaultLevel(codec), settings), tar);
  }

  @ParameterizedTest
  @EnumSource(
      value = Codec.class,
      names = {"GZIP", "ZSTD"})
  void extractsAParallelArchiveOnThePool(Codec codec) {
    byte[] archive = parallelArchive(codec, 21);

    ExtractionResult result =
        extractor()
            .extract(TestArchives.chunks(archive, 8192), request().withSegmentName(SEGMENT))
            .block(TIMEOUT);

    assertThat(result.codec()).isEqualTo(codec);
    assertThat(result.archiveBytes()).isEqualTo(archive.length);
    assertThat(result.directory()).isEqualTo(tableDir().resolve(SEGMENT));
  }

  @ParameterizedTest
  @EnumSource(
      value = Codec.class,
      names = {"GZIP", "ZSTD"})
  void refusesACorruptOrTruncatedParallelArchiveAndKeepsTheOldCopy(Codec codec) {
    installOldCopy();
    byte[] corrupt = parallelArchive(codec, 22);
    for (int i = corrupt.length / 2; i < corrupt.length / 2 + 8; i++) {
      corrupt[i] ^= 0x5a;
    }
    // Both layouts check every chunk (zstd's frame checksums, gzip's CRC-32 of the whole).
    assertFailsAndKeepsOldCopy(
        corrupt,
        InvalidArchiveException.class,
        codec == Codec.GZIP ? "corrupt gzip stream" : "corrupt zstd stream");

    byte[] archive = parallelArchive(codec, 23);
    assertFailsAndKeepsOldCopy(
        Arrays.copyOf(archive, archive.length * 2 / 3), InvalidArchiveException.class, "truncated");
  }

  @ParameterizedTest
  @EnumSource(
      value = Codec.class,
      names = {"GZIP", "ZSTD"})
  void cancellingAParallelArchiveMidStreamRemovesTheStagingDirectory(Codec codec)
      throws IOException {
    Path old = installOldCopy();
    Map<String, String> before = DirectorySnapshot.of(old);
    byte[] archive = parallelArchive(codec, 24);
    Flux<ByteBuffer> stalls =
        TestArchives.chunks(Arrays.copyOf(archive, archive.length / 2), 8192)
            .concatWith(Flux.never());

    StepVerifier.create(extractor().extract(stalls, request().withSegmentName(SEGMENT)))
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(300))
        .thenCancel()
        .verify(TIMEOUT);

    awaitNoLeftovers();
    assertThat(DirectorySnapshot.of(old)).isEqualTo(before);
  }

  private static byte[] corruptMiddle(Codec codec) {
    byte[] archive =
        TestArchives.archive(codec, SEGMENT, TestArchives.randomSegment(new Random(7), 3, 40_000));
    for (int i = archive.length / 2; i < archive.length / 2 + 8; i++) {
      archive[i] ^= 0x5a;
    }
    return archive;
  }

  @Test
  void refusesASegmentWhoseCrcDiffersFromItsCreationMeta() {
    Map<String, byte[]> files = new TreeMap<>(TestArchives.randomSegment(new Random(8), 3, 4000));
    files.put("v3/file_0.idx", "tampered after creation".getBytes());
    assertFailsAndKeepsOldCopy(
        TestArchives.archive(Codec.GZIP, SEGMENT, files),
        CrcMismatchException.class,
        "creation.meta");
  }

  @Test
  void refusesASegmentWhoseCrcDiffersFromTheExpectedOne() {
    Map<String, byte[]> files = TestArchives.randomSegment(new Random(9), 3, 4000);
    byte[] archive = TestArchives.archive(Codec.GZIP, SEGMENT, files);
    assertFails(
        archive,
        request().withSegmentName(SEGMENT).withExpectedCrc(TestArchives.crcOf(files) + 1),
        extractor(),
        CrcMismatchException.class,
        "expected");
  }

  @Test
  void refusesAnArchiveWithoutCreationMeta() {
    Map<String, byte[]> files =
        withoutCreationMeta(TestArchives.randomSegment(new Random(10), 2, 100));
    assertFailsAndKeepsOldCopy(
        TestArchives.archive(Codec.GZIP, SEGMENT, files),
        InvalidArchiveException.class,
        "creation.meta");
  }

  @Test
  void enforcesTheTotalBytesLimit() {
    byte[] archive =
        TestArchives.archive(
            Codec.GZIP, SEGMENT, TestArchives.randomSegment(new Random(11), 4, 100_000));
    ExtractionConfig config =
        ExtractionConfig.defaults()
            .withLimits(ArchiveLimits.defaults().withMaxUncompressedBytes(50_000));
    assertFails(
        archive,
        request().withSegmentName(SEGMENT),
        extractor(config),
        ArchiveLimitExceededException.class,
        "50000");
  }

  @Test
  void enforcesTheEntryLimit() {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (int i = 0; i < 40; i++) {
      files.put("v3/f" + i, new byte[] {(byte) i});
    }
    byte[] archive = TestArchives.archive(Codec.GZIP, SEGMENT, TestArchives.segmentFiles(files));
    ExtractionConfig config =
        ExtractionConfig.defaults().withLimits(ArchiveLimits.defaults().withMaxEntries(20));
    assertFails(
        archive,
        request().withSegmentName(SEGMENT),
        extractor(config),
        ArchiveLimitExceededException.class,
        "20 entries");
  }

  @Test
  void refusesADecompressionBomb() {
    Map<String, byte[]> files = TestArchives.segmentFiles(Map.of("v3/zeros", new byte[64 << 20]));
    byte[] archive = TestArchives.archive(Codec.ZSTD, SEGMENT, files);
    ExtractionConfig config =
        ExtractionConfig.defaults()
            .withLimits(ArchiveLimits.defaults().withMaxCompressionRatio(100, 1 << 20));
    assertFails(
        archive,
        request().withSegmentName(SEGMENT),
        extractor(config),
        ArchiveLimitExceededException.class,
        "bomb");
  }

  @Test
  void reportsAFileSystemErrorAsAWriteFailure() throws IOException {
    // The staging area is a regular file, so nothing can be created under it (root ignores mode
    // bits).
    Files.createDirectories(tableDir());
    Files.writeString(tableDir().resolve("tmp"), "in the way");
    byte[] archive =
        TestArchives.archive(
            Codec.GZIP, SEGMENT, TestArchives.randomSegment(new Random(12), 2, 100));

    StepVerifier.create(extractor().extract(TestArchives.chunks(archive, 1024), request()))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(SegmentWriteException.class)
                    .hasMessageContaining("staging"))
        .verify(TIMEOUT);
  }

  @Test
  void refusesAnUnknownCrypterBeforeWritingAnything() {
    byte[] archive =
        TestArchives.archive(
            Codec.GZIP, SEGMENT, TestArchives.randomSegment(new Random(13), 2, 100));

    StepVerifier.create(
            extractor()
                .extract(
                    TestArchives.chunks(archive, 1024),
                    request().withCrypter("RotThirteenCrypter")))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(CrypterException.class)
                    .hasMessageContaining("RotThirteenCrypter"))
        .verify(TIMEOUT);
    assertThat(dataDir).isEmptyDirectory();
  }

  @Test
  void cancellingMidStreamRemovesTheStagingDirectory() throws IOException {
    Path old = installOldCopy();
    Map<String, String> before = DirectorySnapshot.of(old);
    byte[] archive =
        TestArchives.archive(
            Codec.GZIP, SEGMENT, TestArchives.randomSegment(new Random(14), 4, 400_000));
    // Half the archive arrives, then the source goes quiet: the subscriber gives up.
    Flux<ByteBuffer> stalls =
        TestArchives.chunks(Arrays.copyOf(archive, archive.length / 2), 8192)
            .concatWith(Flux.never());

    StepVerifier.create(extractor().extract(stalls, request().withSegmentName(SEGMENT)))
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(300))
        .thenCancel()
        .verify(TIMEOUT);

    awaitNoLeftovers();
    assertThat(DirectorySnapshot.of(old)).isEqualTo(before);
  }

  // ---- helpers ----

  private static Map<String, byte[]> withoutCreationMeta(Map<String, byte[]> files) {
    Map<String, byte[]> copy = new TreeMap<>(files);
    copy.keySet().removeIf(p -> p.endsWith(CreationMeta.FILE_NAME));
    return copy;
  }

  private Path installOldCopy() {
    Path old = tableDir().resolve(SEGMENT);
    if (!Files.exists(old)) {
      byte[] archive =
          TestArchives.archive(
              Codec.GZIP, SEGMENT, TestArchives.randomSegment(new Random(99), 2, 2000));
      extractor().extract(TestArchives.chunks(archive, 4096), request()).block(TIMEOUT);
    }
    return old;
  }

  private void assertFailsAndKeepsOldCopy(
      byte[] archive, Class<? extends SegmentTransferException> type, String messagePart) {
    assertFails(archive, request().withSegmentName(SEGMENT), extractor(), type, messagePart);
  }

  private void assertFails(
      byte[] archive,
      ExtractionRequest request,
      SegmentExtractor extractor,
      Class<? extends SegmentTransferException> type,
      String messagePart) {
    Path old = installOldCopy();
    Map<String, String> before = DirectorySnapshot.of(old);
    assertThat(before).isNotEmpty();

    StepVerifier.create(
            extractor.extract(
                TestArchives.randomChunks(archive, new Random(archive.length), 5000), request))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(type)
                    .hasMessageContaining(messagePart)
                    .hasMessageContaining(SEGMENT))
        .verify(TIMEOUT);

    assertNoLeftovers();
    assertThat(DirectorySnapshot.of(old)).isEqualTo(before);
  }

  private void assertSegmentEquals(Path dir, Map<String, byte[]> files) {
    Map<String, String> expected = new TreeMap<>();
    files.forEach((path, bytes) -> expected.put(path, DirectorySnapshot.sha256(bytes)));
    Map<String, String> actual = new TreeMap<>(DirectorySnapshot.of(dir));
    actual.values().removeIf("dir"::equals);
    assertThat(actual).isEqualTo(expected);
  }

  private void assertNoLeftovers() {
    Path staging = tableDir().resolve("tmp");
    assertThat(DirectorySnapshot.of(staging)).as("staging leftovers").isEmpty();
    try (Stream<Path> entries =
        Files.exists(tableDir()) ? Files.list(tableDir()) : Stream.empty()) {
      List<String> names = entries.map(p -> p.getFileName().toString()).toList();
      assertThat(names).noneMatch(n -> n.endsWith(".segment.bak") || n.endsWith(".segment.tmp"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Cancellation cleans up asynchronously, on the scheduler: wait (bounded) for it. */
  private void awaitNoLeftovers() {
    await("staging cleaned up")
        .atMost(Duration.ofSeconds(10))
        // The walk can meet a directory the cleanup deletes under it: look again.
        .ignoreException(java.io.UncheckedIOException.class)
        .until(() -> DirectorySnapshot.of(tableDir().resolve("tmp")).isEmpty());
    assertNoLeftovers();
  }
}
