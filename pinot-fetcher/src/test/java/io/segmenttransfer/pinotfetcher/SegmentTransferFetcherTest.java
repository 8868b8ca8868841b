package io.segmenttransfer.pinotfetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.crypto.TinkStreamingCrypter;
import io.segmenttransfer.core.error.SourcesExhaustedException;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.core.testing.Transforms;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.pinot.common.utils.fetcher.SegmentFetcherFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The plugin behind Pinot's own {@link SegmentFetcherFactory}, on the real Pinot 1.5.0 fixtures:
 * from local files, from S3 (S3Proxy) through a connection reset mid-body, and from HTTP peers one
 * of which fails mid-stream. Every result is compared byte for byte with the fixture manifest.
 */
class SegmentTransferFetcherTest {

  /** Below every fixture archive's size (about 600 KB), so a cut lands mid-body. */
  private static final long CUT_AFTER = 200_000;

  private static InProcessS3 s3;

  @TempDir Path dir;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = InProcessS3.start();
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.close();
  }

  @AfterEach
  void closeFetchers() {
    PinotFactory.close();
  }

  static Stream<PinotFixtures.Archive> fixtures() {
    return PinotFixtures.archives().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void streamsAndUntarsALocalArchiveInOnePass(PinotFixtures.Archive fixture) throws Exception {
    PinotFactory.init(Map.of());
    AtomicInteger attempts = new AtomicInteger(-1);
    File dest = dir.resolve("tmp-" + fixture.segmentName()).toFile();

    File segment =
        SegmentFetcherFactory.fetchAndStreamUntarToLocal(
            fixture.file().toUri().toString(), dest, -1, attempts);

    assertThat(segment.toPath()).isEqualTo(dest.toPath().resolve(fixture.segmentName()));
    PinotFactory.assertSegment(segment.toPath(), fixture);
    // Nothing else left in Pinot's directory: the pipeline's staging is gone.
    assertThat(dest.list()).containsExactly(fixture.segmentName());
    // As Pinot's fetchers count: the failed tries before the one that succeeded.
    assertThat(attempts).hasValue(0);
  }

  @Test
  void decryptsInTheSamePassWhenACrypterIsConfigured() throws Exception {
    Path keyset = dir.resolve("keyset.json");
    Files.writeString(keyset, TinkStreamingCrypter.generateKeysetJson());
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    byte[] ciphertext =
        Transforms.apply(
            CrypterRegistry.fromConfig(CrypterConfig.tink(keyset))
                .resolve(TinkStreamingCrypter.NAME)
                .newEncryptor("test"),
            PinotFixtures.bytes(fixture));
    Path encrypted = dir.resolve("encrypted.tar.gz");
    Files.write(encrypted, ciphertext);
    PinotFactory.init(
        Map.of(
            "file.crypter",
            TinkStreamingCrypter.NAME,
            "file.crypter.tinkKeysetFile",
            keyset.toString()));
    AtomicInteger attempts = new AtomicInteger(-1);

    File segment =
        SegmentFetcherFactory.fetchAndStreamUntarToLocal(
            encrypted.toUri().toString(), dir.resolve("tmp-enc").toFile(), -1, attempts);

    PinotFactory.assertSegment(segment.toPath(), fixture);
    assertThat(attempts).hasValue(0);
  }

  @Test
  void fetchesALocalArchiveAsItIs() throws Exception {
    PinotFactory.init(Map.of());
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.zst");
    File dest = dir.resolve("copy.tar.zst").toFile();
    File decrypted = dir.resolve("decrypted.tar.zst").toFile();

    SegmentFetcherFactory.fetchSegmentToLocal(fixture.file().toUri().toString(), dest);
    SegmentFetcherFactory.fetchAndDecryptSegmentToLocal(
        fixture.file().toUri().toString(), decrypted, null);

    assertThat(dest).hasSameBinaryContentAs(fixture.file().toFile());
    assertThat(decrypted).hasSameBinaryContentAs(fixture.file().toFile());
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("no temporary file left beside the archives")
          .containsExactlyInAnyOrder("copy.tar.zst", "decrypted.tar.zst");
    }
  }

  @Test
  void aCorruptArchiveLeavesNothingAndCountsItsTry() throws Exception {
    PinotFactory.init(Map.of());
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    byte[] bytes = PinotFixtures.bytes(fixture);
    Path truncated = dir.resolve("truncated.tar.gz");
    Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    AtomicInteger attempts = new AtomicInteger(-1);
    File dest = dir.resolve("tmp-truncated").toFile();

    assertThatThrownBy(
            () ->
                SegmentFetcherFactory.fetchAndStreamUntarToLocal(
                    truncated.toUri().toString(), dest, -1, attempts))
        .isInstanceOf(SourcesExhaustedException.class)
        .hasMessageContaining("truncated.tar.gz");

    // Bad bytes are not retried from the same source; the one try is reported.
    assertThat(attempts).hasValue(1);
    assertThat(segmentDirectories(dest.toPath())).isEmpty();
  }

  @Test
  void streamsFromS3ThroughAConnectionResetMidBody() throws Exception {
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    URI uri = s3.put("events_OFFLINE/" + fixture.file().getFileName(), fixture.file());
    try (CuttingTcpProxy link = new CuttingTcpProxy(s3.port(), CUT_AFTER, 1)) {
      PinotFactory.init(s3Keys(link.port()));
      AtomicInteger attempts = new AtomicInteger(-1);
      File dest = dir.resolve("tmp-s3").toFile();

      File segment =
          SegmentFetcherFactory.fetchAndStreamUntarToLocal(uri.toString(), dest, -1, attempts);

      PinotFactory.assertSegment(segment.toPath(), fixture);
      assertThat(link.cuts()).as("the first connection was reset mid-body").isEqualTo(1);
      // The S3 reader retried the cut range in place: the fetch did not start over, so Pinot's
      // count of failed tries stays 0.
      assertThat(attempts).hasValue(0);
    }
  }

  @Test
  void fetchesAnArchiveFromS3ThroughAConnectionResetMidBody() throws Exception {
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.zst");
    URI uri = s3.put("events_OFFLINE/" + fixture.file().getFileName(), fixture.file());
    try (CuttingTcpProxy link = new CuttingTcpProxy(s3.port(), CUT_AFTER, 1)) {
      PinotFactory.init(s3Keys(link.port()));
      File dest = dir.resolve("from-s3.tar.zst").toFile();

      SegmentFetcherFactory.fetchSegmentToLocal(uri, dest);

      assertThat(dest).hasSameBinaryContentAs(fixture.file().toFile());
      assertThat(link.cuts()).isEqualTo(1);
    }
  }

  @Test
  void streamsFromHttpResumingAtTheByteWhereTheConnectionWasCut() throws Exception {
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.zst");
    try (ArchiveHttpServer server = new ArchiveHttpServer(PinotFixtures.directory());
        CuttingTcpProxy link = new CuttingTcpProxy(server.port(), CUT_AFTER, 1)) {
      PinotFactory.init(Map.of());
      AtomicInteger attempts = new AtomicInteger(-1);
      File dest = dir.resolve("tmp-http").toFile();

      File segment =
          SegmentFetcherFactory.fetchAndStreamUntarToLocal(
              server.uri(link.port(), fixture.file().getFileName().toString()), dest, -1, attempts);

      PinotFactory.assertSegment(segment.toPath(), fixture);
      assertThat(link.cuts()).isEqualTo(1);
      assertThat(attempts)
          .as("one failed try before the one that finished; requests %s", server.requests())
          .hasValue(1);
      // The second try asked for the rest only: resumed, not restarted.
      assertThat(server.requests())
          .anySatisfy(r -> assertThat(r).matches("GET /\\S+ bytes=[1-9][0-9]*-"));
    }
  }

  /**
   * A rate-limited fetch, as an unlimited one, sends one GET: no HEAD asks for size and version.
   */
  @Test
  void aRateLimitedFetchFromHttpIsOneGet() throws Exception {
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    try (ArchiveHttpServer server = new ArchiveHttpServer(PinotFixtures.directory())) {
      PinotFactory.init(Map.of());
      AtomicInteger attempts = new AtomicInteger(-1);

      File segment =
          SegmentFetcherFactory.fetchAndStreamUntarToLocal(
              server.uri(server.port(), fixture.file().getFileName().toString()),
              dir.resolve("tmp-limited").toFile(),
              1L << 30,
              attempts);

      PinotFactory.assertSegment(segment.toPath(), fixture);
      assertThat(server.requests()).singleElement().asString().startsWith("GET ");
    }
  }

  @Test
  void downloadsFromPeersPastOneThatFailsMidStream() throws Exception {
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    String file = fixture.file().getFileName().toString();
    try (ArchiveHttpServer failing = new ArchiveHttpServer(PinotFixtures.directory());
        CuttingTcpProxy dying = new CuttingTcpProxy(failing.port(), CUT_AFTER, Integer.MAX_VALUE);
        ArchiveHttpServer healthy = new ArchiveHttpServer(PinotFixtures.directory())) {
      PinotFactory.init(Map.of("http.retry.count", "2"));
      List<URI> peers = List.of(failing.uri(dying.port(), file), healthy.uri(healthy.port(), file));
      File dest = dir.resolve("from-peers.tar.gz").toFile();

      SegmentFetcherFactory.fetchAndDecryptSegmentToLocal(
          fixture.segmentName(), "http", () -> peers, dest, null);

      assertThat(dest).hasSameBinaryContentAs(fixture.file().toFile());
      assertThat(dying.cuts()).as("the failing peer was tried and cut").isGreaterThanOrEqualTo(1);
      assertThat(healthy.requests()).anySatisfy(r -> assertThat(r).startsWith("GET"));
    }
  }

  @Test
  void asksForThePeersAgainEachRound() throws Exception {
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.zst");
    String file = fixture.file().getFileName().toString();
    try (ArchiveHttpServer peer = new ArchiveHttpServer(PinotFixtures.directory())) {
      PinotFactory.init(Map.of("http.retry.count", "3"));
      AtomicInteger lookups = new AtomicInteger();
      // The external view has no ONLINE replica yet on the first look.
      java.util.function.Supplier<List<URI>> externalView =
          () -> lookups.incrementAndGet() == 1 ? List.of() : List.of(peer.uri(peer.port(), file));
      File dest = dir.resolve("late-peer.tar.zst").toFile();

      SegmentFetcherFactory.getSegmentFetcher("http")
          .fetchSegmentToLocal(fixture.segmentName(), externalView, dest);

      assertThat(dest).hasSameBinaryContentAs(fixture.file().toFile());
      assertThat(lookups).hasValue(2);
    }
  }

  private static Map<String, String> s3Keys(int port) {
    return Map.of(
        "s3.endpoint", "http://127.0.0.1:" + port,
        "s3.region", "us-east-1",
        "s3.accessKey", InProcessS3.ACCESS_KEY,
        "s3.secretKey", InProcessS3.SECRET_KEY,
        "s3.pathStyleAccess", "true",
        // Small ranges, several in flight: the parallel ranged reads are exercised on a small
        // archive.
        "s3.rangeSizeBytes", "131072",
        "s3.parallelRanges", "3");
  }

  private static List<String> segmentDirectories(Path dest) throws Exception {
    if (!Files.isDirectory(dest)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dest)) {
      return walk.filter(p -> Files.isRegularFile(p)).map(Path::toString).toList();
    }
  }
}
