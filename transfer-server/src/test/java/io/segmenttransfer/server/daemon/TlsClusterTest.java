package io.segmenttransfer.server.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.api.TableConfig;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.error.SourceAccessDeniedException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.core.testing.Waits;
import io.segmenttransfer.http.tls.ClientSecurity;
import io.segmenttransfer.http.tls.SecuritySettings;
import io.segmenttransfer.http.tls.ServerTlsConfig;
import io.segmenttransfer.http.tls.TestCertificates;
import io.segmenttransfer.peer.HttpSegmentStore;
import io.segmenttransfer.peer.HttpStoreConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A controller and server daemons that speak only HTTPS with mutual TLS, on loopback, with
 * certificates made here: the servers register and bootstrap from the controller's {@code https}
 * download URLs, a server whose deep-store copy is gone fetches it from its peers at {@code
 * https://host:adminPort} (the table's {@code peerSegmentDownloadScheme}), a ranged read resumes
 * over TLS, and clients without the right certificate or trust are refused.
 */
class TlsClusterTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final TableNameWithType TABLE = TableNameWithType.parse("events_OFFLINE");

  @TempDir Path dir;
  private TestCertificates.Authority ca;
  private ClientSecurity admin;
  private EmbeddedController controller;
  private ControllerClient client;
  private final List<SegmentServer> servers = new ArrayList<>();

  @BeforeEach
  void startController() throws IOException {
    Path certs = Files.createDirectories(dir.resolve("certs"));
    ca = TestCertificates.authority(certs, "cluster-ca");
    TestCertificates.Pem listener = ca.issue(certs, "controller", "controller", "127.0.0.1");
    TestCertificates.Pem asClient = ca.issue(certs, "controller-client", "controller");
    TestCertificates.Pem adminCert = ca.issue(certs, "admin", "admin");
    admin =
        ClientSecurity.none()
            .withTrust(ca.certificate())
            .withClientCertificate(adminCert.certificate(), adminCert.key());
    controller =
        EmbeddedController.start(
            ControllerConfig.defaults(dir.resolve("controller"))
                .withPort(0)
                .withSecurity(
                    new SecuritySettings(
                        Optional.of(
                            ServerTlsConfig.pem(listener.certificate(), listener.key())
                                .withClientCa(ca.certificate())),
                        ClientSecurity.none()
                            .withTrust(ca.certificate())
                            .withClientCertificate(asClient.certificate(), asClient.key()))));
    client = ControllerClient.create(controller.baseUrl(), admin);
  }

  @AfterEach
  void stopAll() {
    servers.forEach(SegmentServer::close);
    controller.close();
  }

  private SegmentServer server(String name) {
    Path certs = dir.resolve("certs");
    TestCertificates.Pem pem = ca.issue(certs, name, "server-" + name, "127.0.0.1");
    ServerConfig config =
        ServerSettings.fromFile(null)
            .override("controller", controller.baseUrl())
            .override("dataDir", dir.resolve(name))
            .override("adminPort", 0)
            .override("longPoll", "2s")
            .override("tls.cert", pem.certificate())
            .override("tls.key", pem.key())
            .override("tls.clientCa", ca.certificate())
            .override("tls.trust", ca.certificate())
            .override("tls.clientCert", pem.certificate())
            .override("tls.clientKey", pem.key())
            .toConfig();
    SegmentServer server = SegmentServer.start(config).block(TIMEOUT);
    servers.add(server);
    return server;
  }

  private void uploadFixtures(int replication) {
    client.createTable(new TableConfig(TABLE, replication, "https", null, null)).block(TIMEOUT);
    for (PinotFixtures.Archive fixture : PinotFixtures.archives()) {
      if (fixture.format().equals("tar.gz")) {
        client.uploadSegment(TABLE, fixture.file()).block(TIMEOUT);
      }
    }
  }

  private int onlineHolders(String segment) {
    var view = client.externalView(TABLE.rawName()).block(TIMEOUT);
    return (int)
        view
            .byType()
            .getOrDefault(TABLE.type(), Map.of())
            .getOrDefault(segment, Map.of())
            .values()
            .stream()
            .filter("ONLINE"::equals)
            .count();
  }

  private static Map<String, String> segmentFiles(SegmentServer server, String segment) {
    Map<String, String> files =
        new TreeMap<>(
            DirectorySnapshot.of(
                server.directory().dataDir().resolve(TABLE.toString()).resolve(segment)));
    files.values().removeIf("dir"::equals);
    return files;
  }

  private static Map<String, String> manifestFiles(PinotFixtures.Archive fixture) {
    Map<String, String> files = new TreeMap<>();
    fixture.files().values().forEach(f -> files.put(f.path(), f.sha256()));
    return files;
  }

  @Test
  void serversBootstrapOverHttpsAndALostArchiveComesFromPeersOverTls() throws IOException {
    assertThat(controller.baseUrl()).startsWith("https://");
    uploadFixtures(3);
    SegmentServer a = server("a");
    SegmentServer b = server("b");
    assertThat(a.baseUrl()).startsWith("https://");
    a.bootstrapped().block(TIMEOUT);
    b.bootstrapped().block(TIMEOUT);
    PinotFixtures.Archive lost = PinotFixtures.archive("tar.gz");
    Waits.await("two replicas online")
        .atMost(TIMEOUT)
        .until(() -> onlineHolders(lost.segmentName()) == 2);
    assertThat(segmentFiles(a, lost.segmentName())).isEqualTo(manifestFiles(lost));
    assertThat(a.metrics().scrape())
        .contains("segment_transfer_bytes_total{source=\"controller\"}");

    try (Stream<Path> archives = Files.walk(controller.config().dataDir().resolve("deepstore"))) {
      for (Path archive :
          archives
              .filter(p -> p.getFileName().toString().startsWith(lost.segmentName()))
              .toList()) {
        Files.delete(archive);
      }
    }
    SegmentServer c = server("c");
    c.bootstrapped().block(TIMEOUT);

    Waits.await("three replicas online")
        .atMost(TIMEOUT)
        .until(() -> onlineHolders(lost.segmentName()) == 3);
    assertThat(segmentFiles(c, lost.segmentName())).isEqualTo(manifestFiles(lost));
    assertThat(c.metrics().scrape()).contains("segment_transfer_bytes_total{source=\"peer\"}");
  }

  @Test
  void aPeerDownloadResumesByRangeOverTls() {
    uploadFixtures(1);
    SegmentServer a = server("a");
    a.bootstrapped().block(TIMEOUT);
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    URI peer = URI.create(a.baseUrl() + "/segments/" + TABLE + "/" + fixture.segmentName());
    Path certs = dir.resolve("certs");
    TestCertificates.Pem reader = ca.issue(certs, "reader", "reader");

    try (HttpSegmentStore store =
        HttpSegmentStore.create(
            HttpStoreConfig.defaults()
                .withSecurity(
                    ClientSecurity.none()
                        .withTrust(ca.certificate())
                        .withClientCertificate(reader.certificate(), reader.key())))) {
      String version = store.stat(peer).block(TIMEOUT).version();
      byte[] whole = bytes(store, peer, 0, version);
      int offset = whole.length / 3;
      byte[] rest = bytes(store, peer, offset, version);

      assertThat(whole.length).isGreaterThan(1000);
      assertThat(rest).isEqualTo(Arrays.copyOfRange(whole, offset, whole.length));

      // Without a client certificate the peer refuses the connection.
      try (HttpSegmentStore anonymous =
          HttpSegmentStore.create(
              HttpStoreConfig.defaults()
                  .withSecurity(ClientSecurity.none().withTrust(ca.certificate())))) {
        assertThatThrownBy(() -> bytes(anonymous, peer, 0, version))
            .isInstanceOf(io.segmenttransfer.core.error.SourceException.class);
      }
    }
  }

  private static byte[] bytes(HttpSegmentStore store, URI uri, long offset, String version) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    store
        .read(uri, offset, version)
        .doOnNext(
            buffer -> {
              byte[] chunk = new byte[buffer.remaining()];
              buffer.get(chunk);
              out.writeBytes(chunk);
            })
        .then()
        .block(TIMEOUT);
    return out.toByteArray();
  }

  @Test
  void clientsWithoutTheClusterCertificateOrTrustAreRefusedClearly() {
    ControllerClient noCertificate =
        ControllerClient.create(
            controller.baseUrl(), ClientSecurity.none().withTrust(ca.certificate()));
    ControllerClient noTrust = ControllerClient.create(controller.baseUrl(), ClientSecurity.none());

    assertThatThrownBy(() -> noTrust.createTable(TABLE, 1).block(TIMEOUT))
        .isInstanceOf(SourceAccessDeniedException.class)
        .hasMessageContaining("TLS handshake with 127.0.0.1:" + controller.port())
        .hasMessageContaining("not trusted");
    // TLS 1.3 refuses a missing client certificate by an alert after the client's handshake; the
    // client sees either the alert or, first, the close: both errors name the cause.
    assertThatThrownBy(() -> noCertificate.createTable(TABLE, 1).block(TIMEOUT))
        .satisfiesAnyOf(
            e ->
                assertThat(e)
                    .isInstanceOf(SourceAccessDeniedException.class)
                    .hasMessageContaining("TLS handshake with 127.0.0.1:" + controller.port()),
            e ->
                assertThat(e)
                    .isInstanceOf(SourceUnavailableException.class)
                    .hasMessageContaining("client certificate")
                    .hasMessageContaining("--tls-client-cert"));
    client.createTable(TABLE, 1).block(TIMEOUT);
    assertThat(client.table(TABLE.rawName()).block(TIMEOUT)).containsKey(TABLE.type());
  }
}
