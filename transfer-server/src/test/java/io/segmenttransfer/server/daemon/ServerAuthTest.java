package io.segmenttransfer.server.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.http.auth.AuthMatrix;
import io.segmenttransfer.http.auth.AuthTransport;
import io.segmenttransfer.http.auth.Permission;
import io.segmenttransfer.http.auth.ServerRoutePermissions;
import io.segmenttransfer.http.tls.ClientSecurity;
import io.segmenttransfer.http.tls.SecuritySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * A server daemon with an auth file: every admin and peer route of {@link ServerRoutePermissions}
 * against every kind of caller ({@link AuthMatrix}), on a server that holds a segment.
 *
 * <p>The controller here is open, so the matrix sees only the server's own surface; a server
 * presenting its own token to a secured controller is {@code AuthCommandsTest}'s. The server's
 * listener serves plain HTTP, TLS, or mutual TLS ({@link AuthTransport}): every route and caller on
 * each.
 */
class ServerAuthTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @ParameterizedTest(name = "over {0}")
  @FieldSource("io.segmenttransfer.http.auth.AuthTransport#NAMES")
  void everyRouteRefusesWhoItMustAndTheSameWayWhateverExists(String over) throws Exception {
    AuthTransport transport = AuthTransport.named(over, dir);
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    AuthMatrix matrix = new AuthMatrix(transport.client());
    Path authFile = matrix.writeAuthFile(dir);
    try (EmbeddedController controller =
        EmbeddedController.start(
            ControllerConfig.defaults(dir.resolve("controller")).withPort(0))) {
      ControllerClient client = ControllerClient.create(controller.baseUrl());
      TableNameWithType table = TableNameWithType.parse(PinotFixtures.TABLE);
      client.createTable(table, 1).block(TIMEOUT);
      client.uploadSegment(table, fixture.file()).block(TIMEOUT);
      SegmentServer server =
          SegmentServer.start(
                  config(controller, authFile)
                      .withSecurity(
                          new SecuritySettings(transport.listener(), ClientSecurity.none())))
              .block(TIMEOUT);
      try {
        server.bootstrapped().block(TIMEOUT);
        String base = server.baseUrl();
        assertThat(base).startsWith(over.equals("plain") ? "http:" : "https:");
        var faults =
            matrix.run(
                base,
                ServerRoutePermissions.TABLE,
                Map.of(
                    "tableNameWithType",
                    PinotFixtures.TABLE,
                    "table",
                    PinotFixtures.TABLE,
                    "segmentName",
                    fixture.segmentName(),
                    "segment",
                    fixture.segmentName()),
                Map.of(
                    "tableNameWithType", "nosuch_OFFLINE",
                    "table", "nosuch_OFFLINE",
                    "segmentName", "nosuch_0",
                    "segment", "nosuch_0"));
        assertThat(faults).isEmpty();
        long open = ServerRoutePermissions.TABLE.rules().stream().filter(r -> r.isOpen()).count();
        assertThat(open).isEqualTo(1);
        assertThat(matrix.calls())
            .hasSize((int) (11 * (ServerRoutePermissions.TABLE.rules().size() - open) + open));

        // A peer with read gets the segment's bytes; health answers anyone.
        byte[] peerCopy =
            matrix
                .client()
                .headers(h -> h.set("Authorization", matrix.credentialsFor(Permission.READ)))
                .get()
                .uri(base + "/segments/" + PinotFixtures.TABLE + "/" + fixture.segmentName())
                .responseSingle((response, body) -> body.asByteArray())
                .block(TIMEOUT);
        assertThat(peerCopy).isNotEmpty();
        String health =
            matrix
                .client()
                .get()
                .uri(base + "/health")
                .responseContent()
                .aggregate()
                .asString()
                .block(TIMEOUT);
        assertThat(health).contains("READY");
        String calls = matrix.calls().toString();
        for (String secret : matrix.secrets()) {
          assertThat(calls).doesNotContain(secret);
        }
      } finally {
        server.close();
      }
    }
  }

  @Test
  void aBadAuthFileFailsTheStartBeforeItListens() throws Exception {
    Path authFile =
        Files.writeString(
            dir.resolve("auth.yml"),
            "principals:\n  - name: peer\n    token-sha256: "
                + "a".repeat(64)
                + "\n    permissions: [raed]\n");
    try (EmbeddedController controller =
        EmbeddedController.start(
            ControllerConfig.defaults(dir.resolve("controller")).withPort(0))) {
      assertThatThrownBy(() -> SegmentServer.start(config(controller, authFile)).block(TIMEOUT))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessage(
              "auth file "
                  + authFile
                  + ": principal 'peer' has an unknown permission 'raed' (known: admin, server,"
                  + " read)");
      // Nothing holds the data directory: an open server starts on it.
      SegmentServer.start(config(controller, null)).block(TIMEOUT).close();
    }
  }

  @Test
  void theConfigFileCarriesTheAuthFile() throws Exception {
    Path file = Files.writeString(dir.resolve("server.yml"), "authFile: /etc/st/auth.yml\n");
    assertThat(
            ServerSettings.fromFile(file)
                .override("controller", "http://127.0.0.1:9000")
                .override("dataDir", dir)
                .toConfig()
                .authFile())
        .isEqualTo(Path.of("/etc/st/auth.yml"));
  }

  private ServerConfig config(EmbeddedController controller, Path authFile) {
    return ServerSettings.fromFile(null)
        .override("controller", controller.baseUrl())
        .override("dataDir", dir.resolve("server"))
        .override("adminPort", 0)
        .override("deepStore", dir.resolve("uploads").toUri())
        .override("longPoll", "2s")
        .override("authFile", authFile)
        .toConfig();
  }
}
