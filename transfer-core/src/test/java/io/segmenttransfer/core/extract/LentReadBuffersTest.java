package io.segmenttransfer.core.extract;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.archive.ArchiveLimits;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.codec.CodecPool;
import io.segmenttransfer.core.archive.codec.Codecs;
import io.segmenttransfer.core.archive.codec.ParallelSettings;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.crypto.TinkStreamingCrypter;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.store.ReadBuffers;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.core.testing.TestArchives;
import io.segmenttransfer.core.testing.Transforms;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The pipeline lends its read buffers to its source ({@link ReadBuffers}) and gives each chunk back
 * only once nothing reads it. The source here overwrites every chunk it gets back with garbage
 * before refilling it, on its own thread while the decoder runs: a chunk given back too early would
 * reach the decompressor (or tar parser, or decryptor) as garbage and fail the CRC.
 */
class LentReadBuffersTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final TableNameWithType TABLE = TableNameWithType.parse(PinotFixtures.TABLE);
  private static final String SEGMENT = "events_1_2_0";

  /** Small chunks: a small archive then spans hundreds, each recycled many times. */
  private static final int CHUNK = 4096;

  private static Scheduler scheduler;

  @TempDir Path dataDir;

  @BeforeAll
  static void startScheduler() {
    scheduler = Schedulers.newBoundedElastic(4, 1000, "lent-test");
  }

  @AfterAll
  static void stopScheduler() {
    scheduler.dispose();
  }

  private static SegmentExtractor extractor(CrypterRegistry crypters) {
    ParallelSettings parallel =
        new ParallelSettings(2, ParallelSettings.MIN_CHUNK_SIZE, 3, CodecPool.shared());
    return new SegmentExtractor(
        new ExtractionConfig(CHUNK, 1, 4, ArchiveLimits.defaults(), parallel), crypters, scheduler);
  }

  @ParameterizedTest
  @EnumSource(Codec.class)
  void aSingleStreamArchiveIsReadWhileItsChunksAreRecycled(Codec codec) {
    Map<String, byte[]> files = files(11);
    assertExtracts(
        extractor(CrypterRegistry.fromConfig(CrypterConfig.defaults())),
        TestArchives.archive(codec, SEGMENT, files),
        files,
        null);
  }

  @ParameterizedTest
  @EnumSource(
      value = Codec.class,
      names = {"GZIP", "ZSTD"})
  void aParallelArchiveIsReadWhileItsChunksAreRecycled(Codec codec) {
    Map<String, byte[]> files = files(12);
    ParallelSettings settings =
        new ParallelSettings(2, ParallelSettings.MIN_CHUNK_SIZE, 3, CodecPool.shared());
    byte[] archive =
        Transforms.apply(
            Codecs.encoder(codec, SEGMENT, Codecs.defaultLevel(codec), settings),
            TestArchives.tar(SEGMENT, files));
    assertExtracts(
        extractor(CrypterRegistry.fromConfig(CrypterConfig.defaults())), archive, files, null);
  }

  @Test
  void anEncryptedArchiveIsReadWhileItsChunksAreRecycled() throws IOException {
    Path keyset = Files.createDirectories(dataDir.resolve("keys")).resolve("keyset.json");
    Files.writeString(keyset, TinkStreamingCrypter.generateKeysetJson());
    CrypterRegistry crypters = CrypterRegistry.fromConfig(CrypterConfig.tink(keyset));
    Map<String, byte[]> files = files(13);
    byte[] ciphertext =
        Transforms.apply(
            crypters.resolve(TinkStreamingCrypter.NAME).newEncryptor("test"),
            TestArchives.archive(Codec.ZSTD, SEGMENT, files));
    assertExtracts(extractor(crypters), ciphertext, files, TinkStreamingCrypter.NAME);
  }

  /** The file store fills the lent chunks itself: the pipeline's own source, end to end. */
  @Test
  void theFileStoreRefillsTheChunksThePipelineGaveBack() throws IOException {
    Map<String, byte[]> files = files(14);
    Path archive =
        Files.write(
            Files.createDirectories(dataDir.resolve("deep")).resolve("a.tar.zst"),
            TestArchives.archive(Codec.ZSTD, SEGMENT, files));
    SegmentExtractor extractor = extractor(CrypterRegistry.fromConfig(CrypterConfig.defaults()));

    ExtractionResult result =
        extractor
            .extract(
                new LocalFileSegmentStore(scheduler, CHUNK).read(archive.toUri(), 0),
                ExtractionRequest.of(dataDir, TABLE)
                    .withSegmentName(SEGMENT)
                    .withExpectedCrc(TestArchives.crcOf(files)))
            .block(TIMEOUT);

    assertThat(result.crc()).isEqualTo(TestArchives.crcOf(files));
    long chunks = Files.size(archive) / CHUNK;
    assertThat(extractor.readBuffers().reused()).isGreaterThan(chunks / 2);
    assertThat(extractor.readBuffers().allocated()).isLessThan(chunks / 4);
  }

  private void assertExtracts(
      SegmentExtractor extractor, byte[] archive, Map<String, byte[]> files, String crypter) {
    AtomicInteger poisoned = new AtomicInteger();
    ExtractionRequest request =
        ExtractionRequest.of(dataDir, TABLE)
            .withSegmentName(SEGMENT)
            .withExpectedCrc(TestArchives.crcOf(files));
    if (crypter != null) {
      request = request.withCrypter(crypter);
    }

    ExtractionResult result =
        extractor.extract(poisoningSource(archive, poisoned), request).block(TIMEOUT);

    assertThat(result.crc()).isEqualTo(TestArchives.crcOf(files));
    assertThat(poisoned.get())
        .as("chunks given back, overwritten and refilled")
        .isGreaterThan(archive.length / CHUNK / 2);
  }

  /**
   * The archive in chunks taken from the buffers the subscriber lent: a chunk seen before (given
   * back) is first filled with garbage, then, after a pause, with its new bytes.
   */
  private static Flux<ByteBuffer> poisoningSource(byte[] archive, AtomicInteger poisoned) {
    return Flux.deferContextual(
            context -> {
              ReadBuffers lent = ReadBuffers.in(context).orElseThrow();
              Set<ByteBuffer> emitted = Collections.newSetFromMap(new IdentityHashMap<>());
              return Flux.range(0, (archive.length + CHUNK - 1) / CHUNK)
                  .map(
                      i -> {
                        ByteBuffer chunk = lent.take(CHUNK);
                        if (!emitted.add(chunk)) {
                          Arrays.fill(chunk.array(), (byte) 0x5a);
                          poisoned.incrementAndGet();
                          Thread.onSpinWait();
                        }
                        int n = Math.min(CHUNK, archive.length - i * CHUNK);
                        chunk.put(archive, i * CHUNK, n).flip();
                        return chunk;
                      });
            })
        .subscribeOn(scheduler);
  }

  private static Map<String, byte[]> files(long seed) {
    return TestArchives.segmentFiles(
        TestArchives.randomSegment(new Random(seed), 5, 400_000).entrySet().stream()
            .filter(e -> !e.getKey().endsWith("creation.meta"))
            .collect(
                java.util.stream.Collectors.toMap(
                    Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, java.util.TreeMap::new)));
  }
}
