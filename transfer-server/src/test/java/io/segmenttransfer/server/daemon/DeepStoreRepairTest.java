package io.segmenttransfer.server.daemon;

import static io.segmenttransfer.server.daemon.DeepStoreTestCluster.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.task.DeepStoreRepairConfig;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.DeepStoreLayout;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.s3.S3SegmentStore;
import io.segmenttransfer.server.InProcessS3;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.http.client.HttpClient;

/**
 * Deep-store repair end to end: the controller's task asks a real server daemon to upload a segment
 * whose download URL is empty, and what it records is what the next server downloads.
 */
class DeepStoreRepairTest {

  private static final TableNameWithType TABLE = TableNameWithType.parse("events_OFFLINE");
  private static final PinotFixtures.Archive FIXTURE = PinotFixtures.archive("tar.gz");
  private static final SegmentId SEGMENT = new SegmentId(TABLE, FIXTURE.segmentName());

  @TempDir Path dir;

  private static EmbeddedController controller(
      ControllerConfig config, List<io.segmenttransfer.core.store.SegmentStore> stores) {
    // On demand only: these tests run the task themselves.
    return EmbeddedController.create(
            config
                .withPort(0)
                .withDeepStoreRepair(DeepStoreRepairConfig.defaults().withInterval(Duration.ZERO)),
            stores)
        .block(TIMEOUT);
  }

  /**
   * Pushed, loaded by {@code holder}, then lost from the deep store: the record says peers only.
   */
  private static void pushLoadAndLose(
      DeepStoreTestCluster cluster, SegmentServer holder, Runnable deleteArchive) {
    holder.bootstrapped().block(TIMEOUT);
    cluster.awaitOnline(SEGMENT, holder.instanceId());
    deleteArchive.run();
    SegmentMetadata metadata = cluster.client.metadata(SEGMENT).block(TIMEOUT);
    cluster.client.putMetadata(metadata.with(SegmentMetadata.DOWNLOAD_URL, "")).block(TIMEOUT);
  }

  @Test
  void aServerUploadsTheMissingSegmentToS3AndAFreshServerThenLoadsItFromThere() throws Exception {
    try (InProcessS3 s3 = InProcessS3.start("deep");
        S3SegmentStore controllerS3 = S3SegmentStore.create(s3.config());
        DeepStoreTestCluster cluster =
            new DeepStoreTestCluster(
                controller(
                    ControllerConfig.defaults(dir.resolve("controller"))
                        .withDeepStore(URI.create("s3://deep/controller")),
                    List.of(controllerS3)),
                dir)) {
      cluster.client.createTable(TABLE, 2).block(TIMEOUT);
      cluster.client.uploadSegment(TABLE, FIXTURE.file()).block(TIMEOUT);
      URI serverDeepStore = URI.create("s3://deep/servers");
      SegmentServer a = cluster.server("a", serverDeepStore, s3.config());
      URI pushed =
          URI.create(cluster.client.metadata(SEGMENT).block(TIMEOUT).downloadUrl().orElseThrow());
      pushLoadAndLose(cluster, a, () -> controllerS3.delete(pushed).block(TIMEOUT));

      JsonNode answer = cluster.runRepair();

      assertThat(answer.get("status").asText()).as(answer.toString()).isEqualTo("DONE");
      JsonNode report = answer.get("report");
      assertThat(report.get("missing").asInt()).isEqualTo(1);
      assertThat(report.get("failed")).as(report.toString()).isEmpty();
      URI uploaded = new DeepStoreLayout(serverDeepStore).archive(SEGMENT, Codec.GZIP);
      assertThat(report.get("repaired").get(0).get("replica").asText()).isEqualTo(a.instanceId());
      assertThat(report.get("repaired").get(0).get("downloadUrl").asText())
          .isEqualTo(uploaded.toString());
      SegmentMetadata repaired = cluster.client.metadata(SEGMENT).block(TIMEOUT);
      assertThat(repaired.downloadUrl()).contains(uploaded.toString());
      assertThat(repaired.crc()).isEqualTo(FIXTURE.crc());
      assertThat(controllerS3.exists(uploaded).block(TIMEOUT)).isTrue();

      SegmentServer b = cluster.server("b", serverDeepStore, s3.config());
      b.bootstrapped().block(TIMEOUT);
      cluster.awaitOnline(SEGMENT, b.instanceId());
      String metrics = b.metrics().scrape();
      assertThat(metrics)
          .contains("segment_transfer_bytes_total{source=\"deepstore-s3\"}")
          .doesNotContain("source=\"peer\"")
          .doesNotContain("source=\"controller\"");
      assertThat(b.directory().localCrcs(TABLE).block(TIMEOUT))
          .containsEntry(SEGMENT.segmentName(), FIXTURE.crc());
    }
  }

  @Test
  void anUploadFailingOnTheServersDeepStoreLeavesTheUrlEmptyAndTheNextRunRepairsIt()
      throws Exception {
    ControllerConfig config = ControllerConfig.defaults(dir.resolve("controller"));
    try (DeepStoreTestCluster cluster =
        new DeepStoreTestCluster(controller(config, List.of()), dir)) {
      cluster.client.createTable(TABLE, 1).block(TIMEOUT);
      cluster.client.uploadSegment(TABLE, FIXTURE.file()).block(TIMEOUT);
      // The server's deep store is "down": its root is a file, so nothing can be written under it.
      Path serverDeepStore = dir.resolve("uploads");
      Files.writeString(serverDeepStore, "not a directory");
      SegmentServer a = cluster.server("a", serverDeepStore.toUri(), null);
      Path pushed =
          Path.of(new DeepStoreLayout(cluster.controller.deepStore()).archive(SEGMENT, Codec.GZIP));
      pushLoadAndLose(
          cluster,
          a,
          () -> {
            try {
              Files.delete(pushed);
            } catch (java.io.IOException e) {
              throw new AssertionError(e);
            }
          });

      JsonNode failedRun = cluster.runRepair().get("report");

      assertThat(failedRun.get("repaired")).isEmpty();
      assertThat(failedRun.get("failed").get(0).get("segment").asText())
          .isEqualTo(SEGMENT.toString());
      assertThat(failedRun.get("failed").get(0).get("replica").asText()).isEqualTo(a.instanceId());
      assertThat(failedRun.get("failed").get(0).get("cause").asText()).contains("HTTP 5");
      assertThat(cluster.client.metadata(SEGMENT).block(TIMEOUT).downloadUrl()).contains("");

      Files.delete(serverDeepStore); // back
      JsonNode nextRun = cluster.runRepair().get("report");

      assertThat(nextRun.get("failed")).as(nextRun.toString()).isEmpty();
      assertThat(nextRun.get("repaired")).hasSize(1);
      // A local-directory deep store: the controller's own URL, serving the server's archive.
      String url = cluster.controller.baseUrl() + "/segments/events/" + SEGMENT.segmentName();
      assertThat(cluster.client.metadata(SEGMENT).block(TIMEOUT).downloadUrl()).contains(url);
      byte[] served =
          HttpClient.newConnection()
              .get()
              .uri(url)
              .responseSingle((response, body) -> body.asByteArray())
              .block(TIMEOUT);
      assertThat(served)
          .isEqualTo(
              Files.readAllBytes(
                  Path.of(
                      new DeepStoreLayout(serverDeepStore.toUri()).archive(SEGMENT, Codec.GZIP))));
    }
  }
}
