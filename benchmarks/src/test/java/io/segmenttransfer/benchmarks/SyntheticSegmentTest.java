package io.segmenttransfer.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.ExtractionRequest;
import io.segmenttransfer.core.extract.ExtractionResult;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.segment.CreationMeta;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.Adler32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The generator makes valid Pinot segments that compress like real ones, and every reader agrees on
 * them.
 */
class SyntheticSegmentTest {

  private static final SegmentSpec SPEC = SegmentSpec.ofMebibytes(8, 3);
  private static Scheduler scheduler;

  @TempDir static Path cacheDir;

  @BeforeAll
  static void startScheduler() {
    scheduler = Schedulers.newBoundedElastic(4, 64, "synthetic-test");
  }

  @AfterAll
  static void stopScheduler() {
    scheduler.dispose();
  }

  @ParameterizedTest
  @EnumSource(
      value = Codec.class,
      names = {"GZIP", "ZSTD"})
  void pinotUntarFindsTheCrcInCreationMetaAndCompressionLikeRealSegments(
      Codec codec, @TempDir Path out) throws Exception {
    CachedArchive archive = new ArchiveCache(cacheDir).archive(SPEC, codec);

    PinotUntar.Result untarred = PinotUntar.untar(archive.file(), out);

    // The Pinot way, independent of the generator's bookkeeping: read the files back in sorted
    // order.
    Path dir = untarred.segmentDir();
    assertThat(dir.getFileName().toString()).isEqualTo(SPEC.segmentName());
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    assertThat(files.stream().map(p -> dir.relativize(p).toString()))
        .containsExactly(
            "v3/columns.psf", "v3/creation.meta", "v3/index_map", "v3/metadata.properties");
    Adler32 adler = new Adler32();
    long total = 0;
    for (Path file : files) {
      byte[] bytes = Files.readAllBytes(file);
      total += bytes.length;
      if (!file.getFileName().toString().equals(CreationMeta.FILE_NAME)) {
        adler.update(bytes);
      }
    }
    byte[] meta = Files.readAllBytes(dir.resolve("v3/creation.meta"));
    assertThat(CreationMeta.parse(meta, meta.length).crc())
        .isEqualTo(adler.getValue())
        .isEqualTo(archive.crc());
    assertThat(untarred.crc()).isEqualTo(archive.crc());
    assertThat(total).isEqualTo(SPEC.totalBytes()).isEqualTo(archive.uncompressedBytes());
    assertThat(Files.readString(dir.resolve("v3/metadata.properties")))
        .contains("segment.name = " + SPEC.segmentName());
    // The Pinot 1.5 fixtures compress about 1.8x; real segments 2-4x.
    assertThat(archive.compressionRatio()).isBetween(1.6, 3.0);
  }

  @ParameterizedTest
  @EnumSource(
      value = Codec.class,
      names = {"GZIP", "ZSTD"})
  void pipelineExtractsTheCachedArchiveWithTheSameCrc(Codec codec, @TempDir Path dataDir) {
    CachedArchive archive = new ArchiveCache(cacheDir).archive(SPEC, codec);
    SegmentExtractor extractor =
        new SegmentExtractor(
            ExtractionConfig.defaults(),
            CrypterRegistry.fromConfig(CrypterConfig.defaults()),
            scheduler);

    ExtractionResult result =
        extractor
            .extract(
                ArchiveStreams.inMemory(ArchiveStreams.load(archive.file()), 64 * 1024),
                ExtractionRequest.of(dataDir, SPEC.segmentId()).withExpectedCrc(archive.crc()))
            .block(Duration.ofSeconds(30));

    assertThat(result.crc()).isEqualTo(archive.crc());
    assertThat(result.bytesWritten()).isEqualTo(SPEC.totalBytes());
    assertThat(result.codec()).isEqualTo(codec);
  }

  @Test
  void streamedArchiveIsByteForByteTheCachedOne() throws Exception {
    CachedArchive archive = new ArchiveCache(cacheDir).archive(SPEC, Codec.ZSTD);
    ByteArrayOutputStream streamed = new ByteArrayOutputStream();
    long[] crc = {-1};

    ArchiveStreams.generated(SPEC, Codec.ZSTD, archive.level(), 100_000, c -> crc[0] = c)
        .doOnNext(
            chunk -> {
              byte[] bytes = new byte[chunk.remaining()];
              chunk.get(bytes);
              streamed.writeBytes(bytes);
            })
        .blockLast(Duration.ofSeconds(30));

    assertThat(crc[0]).isEqualTo(archive.crc());
    assertThat(ByteBuffer.wrap(streamed.toByteArray()))
        .isEqualTo(ByteBuffer.wrap(Files.readAllBytes(archive.file())));
  }

  @Test
  void cacheReusesAnArchiveAndKeysItBySpec() throws Exception {
    ArchiveCache cache = new ArchiveCache(cacheDir);
    CachedArchive first = cache.archive(SPEC, Codec.GZIP);
    long modified = Files.getLastModifiedTime(first.file()).toMillis();

    CachedArchive again = cache.archive(SPEC, Codec.GZIP);
    CachedArchive other = cache.archive(SegmentSpec.ofMebibytes(8, 4), Codec.GZIP);

    assertThat(again.file()).isEqualTo(first.file());
    assertThat(Files.getLastModifiedTime(again.file()).toMillis()).isEqualTo(modified);
    assertThat(again.crc()).isEqualTo(first.crc());
    assertThat(other.file()).isNotEqualTo(first.file());
    assertThat(other.crc()).isNotEqualTo(first.crc());
  }

  @Test
  void ceilingsProduceTheWholeStream(@TempDir Path out) throws Exception {
    for (Codec codec : List.of(Codec.GZIP, Codec.ZSTD)) {
      CachedArchive archive = new ArchiveCache(cacheDir).archive(SPEC, codec);
      assertThat(DecompressToNothing.decompress(ArchiveStreams.load(archive.file()), codec))
          .isEqualTo(archive.tarBytes());
    }
    SyntheticSegment segment = new SyntheticSegment(SPEC);
    assertThat(new PlainFileWriter().write(segment, out.resolve("plain")))
        .isEqualTo(SPEC.totalBytes());
    assertThat(Files.size(out.resolve("plain").resolve(SyntheticSegment.COLUMNS_FILE)))
        .isEqualTo(segment.dataFiles().get(2).size());
  }
}
