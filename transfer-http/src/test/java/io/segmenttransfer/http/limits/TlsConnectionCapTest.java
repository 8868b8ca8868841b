package io.segmenttransfer.http.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.error.SourceUnavailableException;
import io.segmenttransfer.http.HttpErrors;
import io.segmenttransfer.http.tls.ClientSecurity;
import io.segmenttransfer.http.tls.ServerTls;
import io.segmenttransfer.http.tls.ServerTlsConfig;
import io.segmenttransfer.http.tls.TestCertificates;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/**
 * The connection limit on an HTTPS listener: the connection over the limit completes its handshake
 * and reads an encrypted {@code 503}, so the project's client reports the overloaded server (a
 * retryable error naming the 503), never a TLS failure.
 */
class TlsConnectionCapTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @TempDir Path dir;
  private DisposableServer server;
  private ConnectionProvider heldPool;

  @AfterEach
  void stop() {
    if (heldPool != null) {
      heldPool.disposeLater().block(TIMEOUT);
    }
    if (server != null) {
      server.disposeNow(TIMEOUT);
    }
  }

  @Test
  void aTlsConnectionOverTheLimitIsAnswered503OverTlsAndServedOnceAnotherCloses() {
    TestCertificates.Authority ca = TestCertificates.authority(dir, "ca");
    TestCertificates.Pem pem = ca.issue(dir, "server", "server", "localhost");
    server =
        HttpServerLimits.apply(
                ServerTls.secure(
                    Optional.of(ServerTlsConfig.pem(pem.certificate(), pem.key())),
                    HttpServer.create()),
                ListenerLimits.defaults().withMaxConnections(1))
            .host("127.0.0.1")
            .port(0)
            .handle((request, response) -> response.sendString(Mono.just("ok")))
            .bindNow(TIMEOUT);
    URI uri = URI.create("https://localhost:" + server.port() + "/");
    ClientSecurity trusting = ClientSecurity.none().withTrust(ca.certificate());

    // One connection, kept open by its pool after its answer: the listener is full.
    heldPool = ConnectionProvider.create("held", 1);
    HttpClient held = trusting.configure(HttpClient.create(heldPool));
    assertThat(get(held, uri)).isEqualTo("ok");

    HttpClient fresh = trusting.configure(HttpClient.newConnection());
    assertThatThrownBy(() -> get(fresh, uri))
        .isInstanceOf(SourceUnavailableException.class)
        .hasMessageContaining("503")
        .hasMessageNotContainingAny("SSL", "TLS", "handshake", "certificate");
    String body =
        fresh
            .get()
            .uri(uri)
            .responseSingle((response, content) -> content.asString())
            .block(TIMEOUT);
    assertThat(body).contains("too many connections");

    heldPool.disposeLater().block(TIMEOUT);
    heldPool = null;
    io.segmenttransfer.core.testing.Waits.await("served once the held connection closed")
        .until(
            () -> {
              try {
                return "ok".equals(get(fresh, uri));
              } catch (SourceUnavailableException stillFull) {
                return false;
              }
            });
  }

  private static String get(HttpClient client, URI uri) {
    return client
        .get()
        .uri(uri)
        .responseSingle((response, content) -> HttpErrors.answerText(uri, response, content))
        .onErrorMap(e -> HttpErrors.forFailure(uri, e))
        .block(TIMEOUT);
  }
}
