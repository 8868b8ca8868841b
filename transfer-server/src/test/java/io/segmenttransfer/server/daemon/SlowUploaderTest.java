package io.segmenttransfer.server.daemon;

import static io.segmenttransfer.server.daemon.DeepStoreTestCluster.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.ExtractionRequest;
import io.segmenttransfer.core.extract.ExtractionResult;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.DeepStoreLayout;
import io.segmenttransfer.s3.S3SegmentStore;
import io.segmenttransfer.server.InProcessS3;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

/**
 * A deep store that takes its time with writes never holds up a commit: with every upload stalled
 * in the store, two commits are answered, the segments stay served by their committer, and once the
 * store accepts writes again both uploads finish, their URLs are recorded, and what they name is
 * each segment's whole archive.
 */
class SlowUploaderTest {

  private static final TableNameWithType TABLE = TableNameWithType.parse("events_REALTIME");
  private static final SegmentId FIRST = new SegmentId(TABLE, "events__0__3__20261206T1200Z");
  private static final SegmentId SECOND = new SegmentId(TABLE, "events__1__3__20261206T1200Z");

  @TempDir Path dir;

  @Test
  void commitsAreAnsweredWhileTheirUploadsAreStalledAndTheUploadsFinishLater() throws Exception {
    URI serverDeepStore = URI.create("s3://deep/servers");
    try (InProcessS3 s3 = InProcessS3.start("deep");
        S3SegmentStore reader = S3SegmentStore.create(s3.config());
        DeepStoreTestCluster cluster =
            new DeepStoreTestCluster(
                EmbeddedController.create(
                        ControllerConfig.defaults(dir.resolve("controller"))
                            .withPort(0)
                            .withDeepStore(URI.create("s3://deep/controller")),
                        List.of(reader))
                    .block(TIMEOUT),
                dir)) {
      cluster.client.createTable(TABLE, 1).block(TIMEOUT);
      SegmentServer committer = cluster.server("a", serverDeepStore, s3.config());
      Path built = Files.createDirectories(dir.resolve("built"));
      Path first = TestRealtimeSegment.write(built, FIRST.segmentName(), "700", 400_000, 1);
      Path second = TestRealtimeSegment.write(built, SECOND.segmentName(), "900", 400_000, 2);

      s3.writes().hold();
      JsonNode firstAnswer = DeepStoreTestCluster.commit(committer, FIRST, first);
      s3.writes().awaitHeld(TIMEOUT); // the first upload has reached the store and waits there
      JsonNode secondAnswer = DeepStoreTestCluster.commit(committer, SECOND, second);

      assertThat(firstAnswer.path("status").asText())
          .as(firstAnswer.toString())
          .isEqualTo("COMMIT_SUCCESS");
      assertThat(secondAnswer.path("status").asText())
          .as(secondAnswer.toString())
          .isEqualTo("COMMIT_SUCCESS");
      assertThat(s3.writes().passed()).as("writes that got through the closed gate").isZero();
      assertThat(committer.pendingUploads()).isEqualTo(2);
      URI firstArchive = new DeepStoreLayout(serverDeepStore).archive(FIRST, Codec.GZIP);
      URI secondArchive = new DeepStoreLayout(serverDeepStore).archive(SECOND, Codec.GZIP);
      // Committed and served by the committer, with no deep-store copy recorded yet.
      for (SegmentId segment : List.of(FIRST, SECOND)) {
        assertThat(cluster.client.metadata(segment).block(TIMEOUT).field("segment.realtime.status"))
            .hasValue("DONE");
        assertThat(cluster.client.metadata(segment).block(TIMEOUT).downloadUrl().orElse(""))
            .doesNotStartWith("s3://");
        cluster.awaitOnline(segment, committer.instanceId());
      }

      s3.writes().release();

      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () -> {
                assertThat(cluster.client.metadata(FIRST).block(TIMEOUT).downloadUrl())
                    .contains(firstArchive.toString());
                assertThat(cluster.client.metadata(SECOND).block(TIMEOUT).downloadUrl())
                    .contains(secondArchive.toString());
              });
      assertThat(committer.pendingUploads()).isZero();
      assertThat(reader.exists(firstArchive).block(TIMEOUT)).isTrue();
      assertThat(reader.exists(secondArchive).block(TIMEOUT)).isTrue();

      // What each URL names is a whole archive of exactly the committed segment.
      SegmentExtractor extractor =
          new SegmentExtractor(
              ExtractionConfig.defaults(),
              CrypterRegistry.fromConfig(CrypterConfig.defaults()),
              Schedulers.boundedElastic());
      for (var committed :
          List.of(Map.entry(firstArchive, firstAnswer), Map.entry(secondArchive, secondAnswer))) {
        long crc = Long.parseLong(committed.getValue().path("crc").asText());
        ExtractionResult result =
            extractor
                .extract(
                    reader.read(committed.getKey(), 0),
                    ExtractionRequest.of(dir.resolve("check"), TABLE).withExpectedCrc(crc))
                .block(TIMEOUT);
        assertThat(result.crc()).isEqualTo(crc);
      }
    }
  }

  /** A committer whose first upload is held in the deep store; its stop deadline as given. */
  private record HeldUpload(InProcessS3 s3, DeepStoreTestCluster cluster, SegmentServer committer)
      implements AutoCloseable {

    static HeldUpload start(Path dir, String shutdownDeadline) throws Exception {
      InProcessS3 s3 = InProcessS3.start("deep");
      DeepStoreTestCluster cluster =
          new DeepStoreTestCluster(
              EmbeddedController.create(
                      ControllerConfig.defaults(dir.resolve("controller")).withPort(0), List.of())
                  .block(TIMEOUT),
              dir);
      cluster.client.createTable(TABLE, 1).block(TIMEOUT);
      SegmentServer committer =
          cluster.server(
              "a",
              URI.create("s3://deep/servers"),
              s3.config(),
              Map.of("shutdownDeadline", shutdownDeadline));
      Path built =
          TestRealtimeSegment.write(
              Files.createDirectories(dir.resolve("built")),
              FIRST.segmentName(),
              "700",
              200_000,
              3);
      s3.writes().hold();
      JsonNode answer = DeepStoreTestCluster.commit(committer, FIRST, built);
      assertThat(answer.path("status").asText()).as(answer.toString()).isEqualTo("COMMIT_SUCCESS");
      s3.writes().awaitHeld(TIMEOUT);
      return new HeldUpload(s3, cluster, committer);
    }

    @Override
    public void close() throws Exception {
      cluster.close();
      s3.close();
    }
  }

  @Test
  void aGracefulStopLetsAnUploadInFlightFinishWithinItsDeadline() throws Exception {
    try (HeldUpload held = HeldUpload.start(dir, "30s")) {
      CompletableFuture<Void> stopped = held.committer().shutdown().toFuture();

      assertThatThrownBy(() -> stopped.get(2, TimeUnit.SECONDS))
          .as("the stop waits for the upload")
          .isInstanceOf(TimeoutException.class);
      held.s3().writes().release();
      stopped.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

      // It finished, and was recorded before the server let go of its controller client.
      URI archive = new DeepStoreLayout(URI.create("s3://deep/servers")).archive(FIRST, Codec.GZIP);
      assertThat(held.cluster().client.metadata(FIRST).block(TIMEOUT).downloadUrl())
          .contains(archive.toString());
    }
  }

  @Test
  void aStopWithAnUploadStuckInTheDeepStoreStillEndsAfterItsDeadline() throws Exception {
    try (HeldUpload held = HeldUpload.start(dir, "2s")) {
      long start = System.nanoTime();

      held.committer().shutdown().block(TIMEOUT);

      // Bounded by the deadline (plus the fixed cleanup waits), not by the stuck write; the URL
      // stays "" for the repair task.
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
      assertThat(held.cluster().client.metadata(FIRST).block(TIMEOUT).downloadUrl().orElse(""))
          .isEmpty();
    }
  }
}
