package io.segmenttransfer.controller.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.cluster.InstanceInfo;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.http.tls.ClientSecurity;
import io.segmenttransfer.http.tls.SecuritySettings;
import io.segmenttransfer.http.tls.ServerTls;
import io.segmenttransfer.http.tls.ServerTlsConfig;
import io.segmenttransfer.http.tls.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A controller that serves plain HTTP itself asks a server whose admin port serves HTTPS (mutual
 * TLS) over https, because that server registered an {@code adminHttpsPort}: the scheme follows the
 * server, not the controller (Pinot's rule). The same server registered without one is asked over
 * plain HTTP and cannot answer.
 */
class ServerStalenessTlsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final TableNameWithType TABLE = TableNameWithType.parse("events_OFFLINE");

  @TempDir Path dir;
  private DisposableServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.disposeNow(TIMEOUT);
    }
  }

  @Test
  void aPlainControllerAsksATlsServerOverHttpsWhenItRegisteredAnHttpsPort() {
    TestCertificates.Authority ca = TestCertificates.authority(dir, "ca");
    TestCertificates.Pem listener = ca.issue(dir, "server", "server", "127.0.0.1");
    TestCertificates.Pem controllerCert = ca.issue(dir, "controller", "controller");
    server =
        ServerTls.secure(
                Optional.of(
                    ServerTlsConfig.pem(listener.certificate(), listener.key())
                        .withClientCa(ca.certificate())),
                HttpServer.create().host("127.0.0.1").port(0))
            .route(
                routes ->
                    routes.get(
                        "/tables/{table}/segments/isStale",
                        (request, response) -> response.sendString(Mono.just("[]"))))
            .bindNow(TIMEOUT);
    // The controller's listener is plain (no TLS config); its client side can speak TLS.
    SecuritySettings plainController =
        new SecuritySettings(
            Optional.empty(),
            ClientSecurity.none()
                .withTrust(ca.certificate())
                .withClientCertificate(controllerCert.certificate(), controllerCert.key()));
    assertThat(plainController.scheme()).isEqualTo("http");
    ServerStaleness staleness = new ServerStaleness(plainController);

    InstanceInfo https =
        new InstanceInfo("Server_a", "127.0.0.1", 1, server.port(), "SERVER", true, server.port());
    assertThat(ServerStaleness.uri(TABLE, https).toString())
        .isEqualTo(
            "https://127.0.0.1:" + server.port() + "/tables/events_OFFLINE/segments/isStale");
    ServerStaleness.View answered = staleness.ask(TABLE, List.of(https)).block(TIMEOUT);
    assertThat(answered.unreachable()).isEmpty();

    InstanceInfo plain =
        new InstanceInfo("Server_b", "127.0.0.1", 1, server.port(), "SERVER", true);
    assertThat(ServerStaleness.uri(TABLE, plain).getScheme()).isEqualTo("http");
    ServerStaleness.View refused = staleness.ask(TABLE, List.of(plain)).block(TIMEOUT);
    assertThat(refused.unreachable()).singleElement().asString().startsWith("Server_b (");
  }
}
