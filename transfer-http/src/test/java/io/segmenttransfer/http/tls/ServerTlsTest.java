package io.segmenttransfer.http.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SourceAccessDeniedException;
import io.segmenttransfer.http.HttpErrors;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/**
 * HTTPS listeners and clients over loopback with certificates made here: trust, hostname
 * verification, mutual TLS, credentials, rotation while a download is in flight, and the clear
 * errors for unusable files.
 */
class ServerTlsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final int CHUNK = 64 * 1024;
  private static final int CHUNKS = 256; // 16 MiB

  @TempDir Path dir;
  private TestCertificates.Authority ca;
  private TestCertificates.Pem serverPem;
  private DisposableServer server;

  /** Lets {@code /big} send its second half. */
  private final Sinks.Empty<Void> rotationSeen = Sinks.empty();

  @BeforeEach
  void certificates() {
    ca = TestCertificates.authority(dir, "ca");
    serverPem = ca.issue(dir, "server", "server", "localhost", "127.0.0.1");
  }

  @AfterEach
  void stop() {
    rotationSeen.tryEmitEmpty();
    if (server != null) {
      server.disposeNow(TIMEOUT);
    }
  }

  private DisposableServer start(Optional<ServerTlsConfig> tls) {
    server =
        ServerTls.secure(tls, HttpServer.create().host("127.0.0.1").port(0))
            .route(
                routes ->
                    routes
                        .get(
                            "/hello",
                            (request, response) ->
                                response.sendString(
                                    Mono.just(
                                        "hello, "
                                            + (request
                                                    .requestHeaders()
                                                    .contains(HttpHeaderNames.AUTHORIZATION)
                                                ? request
                                                    .requestHeaders()
                                                    .get(HttpHeaderNames.AUTHORIZATION)
                                                : "anonymous"))))
                        .get(
                            "/big",
                            (request, response) ->
                                response
                                    .header(
                                        HttpHeaderNames.CONTENT_LENGTH,
                                        Long.toString((long) CHUNK * CHUNKS))
                                    .sendByteArray(
                                        // The second half waits until the test has seen the
                                        // rotated certificate: the download is in flight across
                                        // the rotation however fast or slow the machine is.
                                        Flux.range(0, CHUNKS)
                                            .concatMap(
                                                i ->
                                                    i == CHUNKS / 2
                                                        ? rotationSeen.asMono().thenReturn(i)
                                                        : Mono.just(i))
                                            .map(i -> chunk(i)))))
            .bindNow(TIMEOUT);
    return server;
  }

  private static byte[] chunk(int i) {
    byte[] bytes = new byte[CHUNK];
    Arrays.fill(bytes, (byte) i);
    return bytes;
  }

  private URI url(String scheme, String host, String path) {
    return URI.create(scheme + "://" + host + ":" + server.port() + path);
  }

  private static String get(HttpClient client, URI uri) {
    return client
        .get()
        .uri(uri)
        .responseSingle(
            (response, body) ->
                response.status().code() == 200
                    ? body.asString()
                    : Mono.error(new IllegalStateException("status " + response.status())))
        .block(TIMEOUT);
  }

  /** The certificate the server presented on a new connection. */
  static X509Certificate presented(HttpClient client, URI uri) {
    return TestCertificates.presented(client, uri, TIMEOUT);
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void servesHttpsToClientsThatTrustItsCa(TlsEngine engine) {
    start(
        Optional.of(
            ServerTlsConfig.pem(serverPem.certificate(), serverPem.key()).withEngine(engine)));
    HttpClient client =
        ClientSecurity.none()
            .withTrust(ca.certificate())
            .withEngine(engine)
            .configure(HttpClient.create());

    assertThat(get(client, url("https", "localhost", "/hello"))).isEqualTo("hello, anonymous");
    assertThat(get(client, url("https", "127.0.0.1", "/hello"))).isEqualTo("hello, anonymous");
  }

  @Test
  void servesHttpsFromAPkcs12KeyStore() throws Exception {
    java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry(
        "server",
        TlsMaterial.privateKey(serverPem.key()),
        "changeit".toCharArray(),
        TlsMaterial.certificates(serverPem.certificate(), "test"));
    Path p12 = dir.resolve("server.p12");
    try (var out = Files.newOutputStream(p12)) {
      store.store(out, "changeit".toCharArray());
    }
    start(Optional.of(ServerTlsConfig.pkcs12(p12, "changeit")));
    HttpClient client =
        ClientSecurity.none().withTrust(ca.certificate()).configure(HttpClient.create());

    assertThat(get(client, url("https", "localhost", "/hello"))).isEqualTo("hello, anonymous");
    assertThatThrownBy(() -> ServerTls.load(ServerTlsConfig.pkcs12(p12, "bad-pass-7781")))
        .hasMessageContaining(p12.toString())
        .hasMessageNotContaining("bad-pass-7781");
  }

  @Test
  void openSslLoadsOnThisPlatform() {
    // The peer-download throughput goal relies on it; the JDK engine stays the fallback elsewhere.
    assertThat(TlsEngine.preferred()).isEqualTo(TlsEngine.OPENSSL);
  }

  @Test
  void aClientThatDoesNotTrustTheServersCaFailsWithAClearError() {
    start(Optional.of(ServerTlsConfig.pem(serverPem.certificate(), serverPem.key())));
    TestCertificates.Authority other = TestCertificates.authority(dir, "other");
    HttpClient client =
        ClientSecurity.none().withTrust(other.certificate()).configure(HttpClient.create());
    URI uri = url("https", "localhost", "/hello");

    assertThatThrownBy(() -> get(client, uri))
        .satisfies(
            error -> {
              Throwable mapped = HttpErrors.forFailure(uri, error);
              assertThat(mapped).isInstanceOf(SourceAccessDeniedException.class);
              assertThat(mapped.getMessage())
                  .contains("TLS handshake with localhost:" + server.port())
                  .contains("not trusted");
            });
  }

  @Test
  void theJvmTrustStoreDoesNotTrustATestCa() {
    start(Optional.of(ServerTlsConfig.pem(serverPem.certificate(), serverPem.key())));
    HttpClient client = ClientSecurity.none().configure(HttpClient.create());

    assertThatThrownBy(() -> get(client, url("https", "localhost", "/hello")))
        .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class);
  }

  @Test
  void aCertificateForAnotherHostIsRefused() {
    TestCertificates.Pem elsewhere = ca.issue(dir, "elsewhere", "elsewhere", "elsewhere.example");
    start(Optional.of(ServerTlsConfig.pem(elsewhere.certificate(), elsewhere.key())));
    HttpClient client =
        ClientSecurity.none().withTrust(ca.certificate()).configure(HttpClient.create());
    URI uri = url("https", "localhost", "/hello");

    assertThatThrownBy(() -> get(client, uri))
        .satisfies(
            error ->
                assertThat(HttpErrors.forFailure(uri, error).getMessage())
                    .contains("TLS handshake with localhost:" + server.port())
                    .contains("localhost"));
  }

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void mutualTlsRefusesClientsWithoutACertificateSignedByTheClientCa(TlsEngine engine) {
    TestCertificates.Authority clients = TestCertificates.authority(dir, "clients");
    start(
        Optional.of(
            ServerTlsConfig.pem(serverPem.certificate(), serverPem.key())
                .withClientCa(clients.certificate())
                .withEngine(engine)));
    URI uri = url("https", "localhost", "/hello");
    ClientSecurity trusting = ClientSecurity.none().withTrust(ca.certificate()).withEngine(engine);
    TestCertificates.Pem good = clients.issue(dir, "good-client", "server-1");
    TestCertificates.Pem wrong = ca.issue(dir, "wrong-client", "stranger");

    assertThatThrownBy(() -> get(trusting.configure(HttpClient.create()), uri))
        .satisfies(
            error ->
                assertThat(HttpErrors.forFailure(uri, error))
                    .isInstanceOf(SourceAccessDeniedException.class)
                    .hasMessageContaining("TLS handshake with localhost:" + server.port()));
    assertThatThrownBy(
            () ->
                get(
                    trusting
                        .withClientCertificate(wrong.certificate(), wrong.key())
                        .configure(HttpClient.create()),
                    uri))
        .satisfies(
            error ->
                assertThat(HttpErrors.forFailure(uri, error))
                    .isInstanceOf(SourceAccessDeniedException.class));
    assertThat(
            get(
                trusting
                    .withClientCertificate(good.certificate(), good.key())
                    .configure(HttpClient.create()),
                uri))
        .isEqualTo("hello, anonymous");
  }

  @Test
  void credentialsGoOnEveryRequestAndNeverIntoToString() {
    start(Optional.of(ServerTlsConfig.pem(serverPem.certificate(), serverPem.key())));
    ClientSecurity bearer =
        ClientSecurity.none()
            .withTrust(ca.certificate())
            .withCredentials(ClientCredentials.bearer("s3cr3t-token"));
    ClientSecurity basic = bearer.withCredentials(ClientCredentials.basic("alice:pa:ss"));

    assertThat(get(bearer.configure(HttpClient.create()), url("https", "localhost", "/hello")))
        .isEqualTo("hello, Bearer s3cr3t-token");
    assertThat(get(basic.configure(HttpClient.create()), url("https", "localhost", "/hello")))
        .isEqualTo("hello, Basic YWxpY2U6cGE6c3M=");
    assertThat(bearer.toString()).doesNotContain("s3cr3t");
    assertThat(basic.toString()).doesNotContain("pa:ss").doesNotContain("YWxp").contains("alice");
    assertThatThrownBy(() -> ClientCredentials.basic("no-colon-secret"))
        .hasMessageNotContaining("no-colon-secret");
  }

  @Test
  void aClientWithTlsSettingsStillSpeaksPlainHttpToHttpUrls() {
    start(Optional.empty());
    HttpClient client =
        ClientSecurity.none()
            .withTrust(ca.certificate())
            .withCredentials(ClientCredentials.bearer("t"))
            .configure(HttpClient.create());

    assertThat(get(client, url("http", "127.0.0.1", "/hello"))).isEqualTo("hello, Bearer t");
  }

  @Test
  void aRotatedCertificateServesNewConnectionsWhileADownloadInFlightCompletes() throws Exception {
    ServerTlsConfig config =
        ServerTlsConfig.pem(serverPem.certificate(), serverPem.key())
            .withReloadInterval(Duration.ofMillis(100));
    start(Optional.of(config));
    HttpClient client =
        ClientSecurity.none().withTrust(ca.certificate()).configure(HttpClient.create());
    // Not pooled: each check is a new connection, hence a new handshake.
    HttpClient fresh =
        ClientSecurity.none().withTrust(ca.certificate()).configure(HttpClient.newConnection());
    URI big = url("https", "localhost", "/big");
    URI hello = url("https", "localhost", "/hello");
    assertThat(presented(fresh, hello).getSerialNumber())
        .isEqualTo(serverPem.x509().getSerialNumber());

    // A download of 16 MiB whose second half the server holds back until the rotation has been
    // seen; the certificate changes under it. Its first bytes are awaited (not a fixed sleep, which
    // a loaded machine may outlast) so that its handshake was made with the first certificate.
    CountDownLatch firstBytes = new CountDownLatch(1);
    Mono<Long> download =
        client
            .get()
            .uri(big)
            .responseContent()
            .doOnNext(buffer -> firstBytes.countDown())
            .map(buffer -> (long) buffer.readableBytes())
            .reduce(0L, Long::sum)
            .cache();
    download.subscribe();
    assertThat(firstBytes.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    TestCertificates.Pem rotated = ca.issue(dir, "server", "server-rotated", "localhost");

    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    X509Certificate seen = presented(fresh, hello);
    while (!seen.getSerialNumber().equals(rotated.x509().getSerialNumber())
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
      seen = presented(fresh, hello);
    }
    assertThat(seen.getSerialNumber()).isEqualTo(rotated.x509().getSerialNumber());
    rotationSeen.tryEmitEmpty();
    assertThat(download.block(TIMEOUT)).isEqualTo((long) CHUNK * CHUNKS);
  }

  @Test
  void unusableFilesAreRefusedWithTheirNames() throws Exception {
    Path missing = dir.resolve("missing.crt");
    Path garbage = Files.writeString(dir.resolve("garbage.crt"), "not a certificate");
    TestCertificates.Pem other = ca.issue(dir, "other", "other", "localhost");
    Path pkcs1 =
        Files.writeString(
            dir.resolve("rsa.key"),
            "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");

    assertThatThrownBy(() -> ServerTls.load(ServerTlsConfig.pem(missing, serverPem.key())))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> ServerTls.load(ServerTlsConfig.pem(garbage, serverPem.key())))
        .hasMessageContaining(garbage.toString())
        .hasMessageContaining("not a readable PEM certificate");
    assertThatThrownBy(
            () -> ServerTls.load(ServerTlsConfig.pem(serverPem.certificate(), other.key())))
        .hasMessageContaining(other.key().toString())
        .hasMessageContaining("does not belong to the certificate");
    assertThatThrownBy(() -> ServerTls.load(ServerTlsConfig.pem(serverPem.certificate(), pkcs1)))
        .hasMessageContaining(pkcs1.toString())
        .hasMessageContaining("openssl pkcs8");
    assertThatThrownBy(
            () ->
                ClientSecurity.none()
                    .withClientCertificate(serverPem.certificate(), other.key())
                    .configure(HttpClient.create()))
        .hasMessageContaining(other.key().toString());
  }
}
