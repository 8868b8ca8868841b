package io.segmenttransfer.server.cli;

import static io.segmenttransfer.server.cli.ProcessLifecycleTest.awaitLine;
import static io.segmenttransfer.server.cli.ProcessLifecycleTest.launch;
import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.server.InProcessS3;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * {@code controller} and {@code server} as processes with an S3 deep store given by flags ({@code
 * --deep-store s3://...}, {@code --s3-endpoint}, {@code --s3-path-style}) and keys from the AWS
 * environment variables: the push lands in S3 and the server loads it from there.
 */
class S3DeepStoreCommandsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final TableNameWithType TABLE = TableNameWithType.parse("events_OFFLINE");

  @TempDir Path dir;

  @Test
  void theControllerWritesToS3AndTheServerReadsFromS3() throws Exception {
    Map<String, String> keys =
        Map.of(
            "AWS_ACCESS_KEY_ID",
            InProcessS3.ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY",
            InProcessS3.SECRET_KEY);
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    SegmentId segment = new SegmentId(TABLE, fixture.segmentName());
    try (InProcessS3 s3 = InProcessS3.start("deep")) {
      String endpoint = s3.endpoint().toString();
      Process controller =
          launch(
              keys,
              "controller",
              "--port",
              "0",
              "--data-dir",
              dir.resolve("controller").toString(),
              "--deep-store",
              "s3://deep/cli",
              "--s3-endpoint",
              endpoint,
              "--s3-path-style");
      Process server = null;
      try {
        List<String> controllerOut = new ArrayList<>();
        String url =
            awaitLine(
                    controller,
                    Pattern.compile("controller listening on (http://\\S+)"),
                    controllerOut)
                .group(1);
        ControllerClient client = ControllerClient.create(url);
        client.createTable(TABLE, 1).block(TIMEOUT);
        client.uploadSegment(TABLE, fixture.file()).block(TIMEOUT);
        assertThat(client.metadata(segment).block(TIMEOUT).downloadUrl())
            .contains("s3://deep/cli/events_OFFLINE/" + fixture.segmentName() + ".tar.gz");

        server =
            launch(
                keys,
                "server",
                "--controller",
                url,
                "--data-dir",
                dir.resolve("server").toString(),
                "--admin-port",
                "0",
                "--s3-endpoint",
                endpoint,
                "--s3-path-style");
        List<String> serverOut = new ArrayList<>();
        String admin =
            awaitLine(server, Pattern.compile("listening on (http://\\S+)"), serverOut).group(1);
        String metrics =
            Mono.defer(
                    () ->
                        HttpClient.newConnection()
                            .get()
                            .uri(admin + "/metrics")
                            .responseSingle((response, body) -> body.asString()))
                .filter(
                    text -> text.contains("segment_transfer_bytes_total{source=\"deepstore-s3\"}"))
                .repeatWhenEmpty(checks -> checks.delayElements(Duration.ofMillis(100)))
                .block(TIMEOUT);
        assertThat(metrics).doesNotContain("source=\"controller\"");

        server.destroy();
        assertThat(server.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        controller.destroy();
        assertThat(controller.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(controller.exitValue()).as(String.join("\n", controllerOut)).isZero();
      } finally {
        controller.destroyForcibly();
        if (server != null) {
          server.destroyForcibly();
        }
      }
    }
  }
}
