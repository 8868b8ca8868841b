package io.segmenttransfer.server.daemon;

import static io.segmenttransfer.server.daemon.DeepStoreTestCluster.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.task.DeepStoreRepairConfig;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.ExtractionRequest;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.DeepStoreLayout;
import io.segmenttransfer.s3.S3SegmentStore;
import io.segmenttransfer.server.ChildJvm;
import io.segmenttransfer.server.InProcessS3;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

/**
 * The committer is a real {@code server} process, killed with SIGKILL after {@code COMMIT_SUCCESS}
 * while its deep-store upload is stalled in the store: nothing is lost. Restarted on the same data
 * directory it serves the segment again, and the controller's repair task has it upload the copy
 * the crash cut short.
 */
class CommitterKilledTest {

  private static final TableNameWithType TABLE = TableNameWithType.parse("events_REALTIME");
  private static final SegmentId SEGMENT = new SegmentId(TABLE, "events__0__8__20261206T1200Z");
  private static final String INSTANCE = "Server_committer_1";

  @TempDir Path dir;

  private ChildJvm server(InProcessS3 s3, String controllerUrl, int adminPort) throws Exception {
    return ChildJvm.start(
        Map.of(
            "AWS_ACCESS_KEY_ID", InProcessS3.ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY", InProcessS3.SECRET_KEY,
            "AWS_REGION", "us-east-1"),
        List.of(),
        "server",
        "--controller",
        controllerUrl,
        "--data-dir",
        dir.resolve("committer").toString(),
        "--admin-port",
        Integer.toString(adminPort),
        "--instance-id",
        INSTANCE,
        "--deep-store",
        "s3://deep/servers",
        "--s3-endpoint",
        s3.endpoint().toString(),
        "--s3-path-style");
  }

  private static String adminUrl(ChildJvm server) throws InterruptedException {
    return server.awaitLine(Pattern.compile("listening on (http://\\S+)")).group(1);
  }

  @Test
  void aCommitterKilledBeforeItsUploadServesTheSegmentAfterARestartAndTheRepairUploadsIt()
      throws Exception {
    URI serverDeepStore = URI.create("s3://deep/servers");
    try (InProcessS3 s3 = InProcessS3.start("deep");
        S3SegmentStore store = S3SegmentStore.create(s3.config());
        DeepStoreTestCluster cluster =
            new DeepStoreTestCluster(
                EmbeddedController.create(
                        ControllerConfig.defaults(dir.resolve("controller"))
                            .withPort(0)
                            .withDeepStore(URI.create("s3://deep/controller"))
                            // On demand only: the test runs the repair itself.
                            .withDeepStoreRepair(
                                DeepStoreRepairConfig.defaults().withInterval(Duration.ZERO)),
                        List.of(store))
                    .block(TIMEOUT),
                dir)) {
      cluster.client.createTable(TABLE, 1).block(TIMEOUT);
      Path built =
          TestRealtimeSegment.write(
              Files.createDirectories(dir.resolve("built")),
              SEGMENT.segmentName(),
              "4200",
              300_000,
              8);
      s3.writes().hold();
      JsonNode answer;
      int adminPort;
      try (ChildJvm committer = server(s3, cluster.controller.baseUrl(), 0)) {
        String admin = adminUrl(committer);
        adminPort = URI.create(admin).getPort();
        answer = DeepStoreTestCluster.commit(admin, SEGMENT, built);
        assertThat(answer.path("status").asText())
            .as(answer.toString())
            .isEqualTo("COMMIT_SUCCESS");
        s3.writes().awaitHeld(TIMEOUT); // its upload has begun and waits in the store

        committer.kill();
      }
      s3.writes().release();
      long crc = Long.parseLong(answer.path("crc").asText());
      URI archive = new DeepStoreLayout(serverDeepStore).archive(SEGMENT, Codec.GZIP);
      SegmentMetadata afterCrash = cluster.client.metadata(SEGMENT).block(TIMEOUT);
      assertThat(afterCrash.field("segment.realtime.status")).hasValue("DONE");
      assertThat(afterCrash.crc()).isEqualTo(crc);
      // Never recorded (the bytes it had sent may still have landed: the store finishes a request
      // whose body it holds whole, as S3 does, but no one told the controller).
      assertThat(afterCrash.downloadUrl().orElse("")).doesNotStartWith("s3://");

      // Restarted where it ran (a crashed instance's id stays live for its session elsewhere).
      try (ChildJvm restarted = server(s3, cluster.controller.baseUrl(), adminPort)) {
        adminUrl(restarted);
        // No deep-store copy and no other replica: ONLINE means it kept its own copy.
        cluster.awaitOnline(SEGMENT, INSTANCE);

        JsonNode run = cluster.runRepair();

        JsonNode report = run.get("report");
        assertThat(report.get("failed")).as(report.toString()).isEmpty();
        assertThat(report.get("repaired")).hasSize(1);
        assertThat(report.get("repaired").get(0).get("replica").asText()).isEqualTo(INSTANCE);
        SegmentMetadata repaired = cluster.client.metadata(SEGMENT).block(TIMEOUT);
        assertThat(repaired.downloadUrl()).contains(archive.toString());
        assertThat(repaired.crc()).isEqualTo(crc);
        long extracted =
            new SegmentExtractor(
                    ExtractionConfig.defaults(),
                    CrypterRegistry.fromConfig(CrypterConfig.defaults()),
                    Schedulers.boundedElastic())
                .extract(
                    store.read(archive, 0),
                    ExtractionRequest.of(dir.resolve("check"), TABLE).withExpectedCrc(crc))
                .block(TIMEOUT)
                .crc();
        assertThat(extracted).isEqualTo(crc);
      }
    }
  }
}
