package io.segmenttransfer.http.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/**
 * The reload a SIGHUP triggers ({@link CertificateReloads#reloadAll}, the entry point the signal
 * handler calls): new connections get the new certificate at once, not at the next file check (an
 * hour here), and files that do not load leave the old certificate serving.
 */
class CertificateReloadsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final Duration NEVER_BY_TIMER = Duration.ofHours(1);

  @TempDir Path dir;
  private DisposableServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.disposeNow(TIMEOUT);
    }
  }

  private ServerTlsConfig start(TestCertificates.Pem pem) {
    ServerTlsConfig config =
        ServerTlsConfig.pem(pem.certificate(), pem.key()).withReloadInterval(NEVER_BY_TIMER);
    server =
        ServerTls.secure(Optional.of(config), HttpServer.create().host("127.0.0.1").port(0))
            .handle((request, response) -> response.sendString(Mono.just("ok")))
            .bindNow(TIMEOUT);
    return config;
  }

  private URI hello() {
    return URI.create("https://localhost:" + server.port() + "/");
  }

  private static CertificateReloads.Outcome outcomeOf(ServerTlsConfig config) {
    return CertificateReloads.reloadAll("test").stream()
        .filter(o -> o.listener().equals(config))
        .findFirst()
        .orElseThrow(() -> new AssertionError("the bound listener was not reloaded"));
  }

  @Test
  void aReloadServesTheRotatedCertificateToTheNextConnectionAtOnce() {
    TestCertificates.Authority ca = TestCertificates.authority(dir, "ca");
    TestCertificates.Pem first = ca.issue(dir, "server", "first", "localhost");
    ServerTlsConfig config = start(first);
    HttpClient fresh =
        ClientSecurity.none().withTrust(ca.certificate()).configure(HttpClient.newConnection());
    assertThat(ServerTlsTest.presented(fresh, hello()).getSerialNumber())
        .isEqualTo(first.x509().getSerialNumber());

    TestCertificates.Pem rotated = ca.issue(dir, "server", "rotated", "localhost");
    assertThat(outcomeOf(config).reloaded()).isTrue();

    assertThat(ServerTlsTest.presented(fresh, hello()).getSerialNumber())
        .isEqualTo(rotated.x509().getSerialNumber());
  }

  @Test
  void aFailedReloadKeepsServingTheOldCertificate() throws Exception {
    TestCertificates.Authority ca = TestCertificates.authority(dir, "ca");
    TestCertificates.Pem first = ca.issue(dir, "server", "first", "localhost");
    ServerTlsConfig config = start(first);
    HttpClient fresh =
        ClientSecurity.none().withTrust(ca.certificate()).configure(HttpClient.newConnection());

    // A rotation half done: a new certificate in place, the key still the old one.
    TestCertificates.Pem other = ca.issue(dir, "other", "other", "localhost");
    Path oldKey = Files.copy(first.key(), dir.resolve("old.key"));
    Files.copy(other.certificate(), first.certificate(), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(oldKey, first.key(), StandardCopyOption.REPLACE_EXISTING);
    assertThat(outcomeOf(config).reloaded()).isFalse();
    assertThat(ServerTlsTest.presented(fresh, hello()).getSerialNumber())
        .isEqualTo(first.x509().getSerialNumber());

    // Garbage where the key was: still the old certificate.
    Files.writeString(first.key(), "not a key");
    assertThat(outcomeOf(config).reloaded()).isFalse();
    assertThat(ServerTlsTest.presented(fresh, hello()).getSerialNumber())
        .isEqualTo(first.x509().getSerialNumber());

    // The rotation completed: the next reload takes it.
    Files.copy(other.key(), first.key(), StandardCopyOption.REPLACE_EXISTING);
    assertThat(outcomeOf(config).reloaded()).isTrue();
    assertThat(ServerTlsTest.presented(fresh, hello()).getSerialNumber())
        .isEqualTo(other.x509().getSerialNumber());
  }

  @Test
  void anUnboundListenerIsNoLongerReloaded() {
    TestCertificates.Authority ca = TestCertificates.authority(dir, "ca");
    ServerTlsConfig config = start(ca.issue(dir, "server", "first", "localhost"));
    server.disposeNow(TIMEOUT);
    server = null;
    // The unbind callback runs on the event loop once the channel has closed, which disposeNow
    // does not wait for: the listener leaves the registry then, not necessarily before this line.
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (isReloaded(config) && System.nanoTime() < deadline) {
      LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
    }
    assertThat(CertificateReloads.reloadAll("test"))
        .noneMatch(outcome -> outcome.listener().equals(config));
  }

  private static boolean isReloaded(ServerTlsConfig config) {
    return CertificateReloads.reloadAll("test").stream()
        .anyMatch(outcome -> outcome.listener().equals(config));
  }
}
