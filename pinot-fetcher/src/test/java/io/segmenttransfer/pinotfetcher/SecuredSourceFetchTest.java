package io.segmenttransfer.pinotfetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.error.SourceAccessDeniedException;
import io.segmenttransfer.core.error.SourcesExhaustedException;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.http.auth.AuthMatrix;
import io.segmenttransfer.http.tls.ClientCredentials;
import io.segmenttransfer.http.tls.ClientSecurity;
import io.segmenttransfer.http.tls.SecuritySettings;
import io.segmenttransfer.http.tls.ServerTlsConfig;
import io.segmenttransfer.http.tls.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pinot.common.utils.fetcher.SegmentFetcherFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin behind Pinot's {@link SegmentFetcherFactory} against a controller of this project that
 * serves HTTPS only and requires credentials (an auth file): Pinot's {@code auth.token} and Pinot's
 * {@code ssl.server.ca-cert} configure it, as they configure Pinot's own HTTPS fetcher. The right
 * credentials fetch the real segment; none, wrong ones and an untrusted certificate fail with one
 * error naming why, with the tries counted as Pinot counts them.
 */
class SecuredSourceFetchTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir static Path dir;

  private static final AuthMatrix principals = new AuthMatrix();
  private static TestCertificates.Authority ca;
  private static EmbeddedController controller;
  private static PinotFixtures.Archive fixture;
  private static String url;

  @TempDir Path work;

  @BeforeAll
  static void startSecuredController() throws Exception {
    Path certs = Files.createDirectories(dir.resolve("certs"));
    ca = TestCertificates.authority(certs, "fetch-ca");
    TestCertificates.Pem listener = ca.issue(certs, "controller", "controller", "127.0.0.1");
    controller =
        EmbeddedController.start(
            ControllerConfig.defaults(dir.resolve("controller"))
                .withPort(0)
                .withAuthFile(principals.writeAuthFile(dir))
                .withSecurity(
                    new SecuritySettings(
                        Optional.of(ServerTlsConfig.pem(listener.certificate(), listener.key())),
                        ClientSecurity.none())));
    assertThat(controller.baseUrl()).startsWith("https://");
    ControllerClient admin =
        ControllerClient.create(
            controller.baseUrl(),
            ClientSecurity.none()
                .withTrust(ca.certificate())
                .withCredentials(ClientCredentials.basic("ops:" + principals.adminPassword)));
    TableNameWithType table = TableNameWithType.parse(PinotFixtures.TABLE);
    admin.createTable(table, 1).block(TIMEOUT);
    fixture = PinotFixtures.archive("tar.gz");
    admin.uploadSegment(table, fixture.file()).block(TIMEOUT);
    // Pinot's download URL form, as the controller hands it to servers.
    url = controller.baseUrl() + "/segments/" + table.rawName() + "/" + fixture.segmentName();
  }

  @AfterAll
  static void stopController() {
    controller.close();
  }

  @AfterEach
  void closeFetchers() {
    PinotFactory.close();
  }

  @Test
  void theFetcherWideTokenOverHttpsFetchesTheSegment() throws Exception {
    // Where a Pinot server usually sets it: pinot.server.segment.fetcher.auth.*, which the factory
    // copies to every protocol; a bearer token needs Pinot's auth.prefix (default Basic).
    PinotFactory.init(trusting(ca.certificate(), bearer("")));
    AtomicInteger attempts = new AtomicInteger(-1);

    File segment =
        SegmentFetcherFactory.fetchAndStreamUntarToLocal(
            url, work.resolve("tmp").toFile(), -1, attempts);

    PinotFactory.assertSegment(segment.toPath(), fixture);
    assertThat(attempts).hasValue(0);
  }

  @Test
  void basicCredentialsInTheProtocolsTokenFetchTheArchive() throws Exception {
    // Pinot's default auth.prefix is Basic: the token is base64 of USER:PASSWORD.
    String basic =
        Base64.getEncoder()
            .encodeToString(("ops:" + principals.adminPassword).getBytes(StandardCharsets.UTF_8));
    // ops has admin, which grants no read: refused, then the reader's credentials succeed.
    PinotFactory.init(trusting(ca.certificate(), Map.of("https.auth.token", basic)));
    File refused = work.resolve("refused.tar.gz").toFile();
    assertThatThrownBy(() -> SegmentFetcherFactory.fetchSegmentToLocal(url, refused))
        .isInstanceOf(SourcesExhaustedException.class)
        .hasMessageContaining("403");
    assertThat(refused).doesNotExist();
    PinotFactory.close();

    PinotFactory.init(trusting(ca.certificate(), bearer("https.")));
    File archive = work.resolve("copy.tar.gz").toFile();
    SegmentFetcherFactory.fetchSegmentToLocal(url, archive);
    assertThat(archive).hasSameBinaryContentAs(fixture.file().toFile());
  }

  @Test
  void withoutOrWithAWrongTokenTheErrorNames401AndTheTryIsCounted() throws Exception {
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    String wrong = "wrong-" + principals.readToken.substring(6);
    try {
      for (Map<String, String> credentials :
          List.of(Map.<String, String>of(), Map.of("auth.prefix", "Bearer", "auth.token", wrong))) {
        PinotFactory.init(trusting(ca.certificate(), credentials));
        AtomicInteger attempts = new AtomicInteger(-1);
        File dest = work.resolve("tmp-" + credentials.size()).toFile();

        assertThatThrownBy(
                () -> SegmentFetcherFactory.fetchAndStreamUntarToLocal(url, dest, -1, attempts))
            .isInstanceOf(SourcesExhaustedException.class)
            .hasMessageContaining("401")
            .hasRootCauseInstanceOf(SourceAccessDeniedException.class);
        // Refused credentials are not tried again: one try, reported as Pinot reports all tries.
        assertThat(attempts).hasValue(1);
        assertThat(dest.list() == null ? new String[0] : dest.list()).isEmpty();
        PinotFactory.close();
      }
    } finally {
      System.setErr(stderr);
    }
    String logged = captured.toString(StandardCharsets.UTF_8);
    for (String secret : principals.secrets()) {
      assertThat(logged).doesNotContain(secret);
    }
    assertThat(logged).doesNotContain(wrong);
  }

  @Test
  void aServerCertificateFromAnotherCaFailsNamingTheCertificate() throws Exception {
    TestCertificates.Authority other = TestCertificates.authority(dir, "other-ca");
    PinotFactory.init(trusting(other.certificate(), bearer("")));
    AtomicInteger attempts = new AtomicInteger(-1);
    File dest = work.resolve("tmp-untrusted").toFile();

    assertThatThrownBy(
            () -> SegmentFetcherFactory.fetchAndStreamUntarToLocal(url, dest, -1, attempts))
        .isInstanceOf(SourcesExhaustedException.class)
        .hasMessageContaining("certificate");
    assertThat(attempts.get()).isPositive();
  }

  @Test
  void theHostNameIsVerified() throws Exception {
    // Trusted CA, but the certificate names 127.0.0.1 only: "localhost" is another host.
    PinotFactory.init(trusting(ca.certificate(), bearer("")));
    String byName = url.replace("://127.0.0.1:", "://localhost:");
    assertThat(byName).isNotEqualTo(url);

    assertThatThrownBy(
            () ->
                SegmentFetcherFactory.fetchSegmentToLocal(
                    byName, work.resolve("by-name.tar.gz").toFile()))
        .isInstanceOf(SourcesExhaustedException.class)
        .hasMessageContaining("localhost");
  }

  /**
   * The reader's bearer token as Pinot configures one: {@code auth.prefix} and {@code auth.token}.
   */
  private static Map<String, String> bearer(String protocolPrefix) {
    return Map.of(
        protocolPrefix + "auth.prefix",
        "Bearer",
        protocolPrefix + "auth.token",
        principals.readToken);
  }

  /** Per-protocol keys for https trusting {@code caPem}, with {@code more} added. */
  private static Map<String, String> trusting(Path caPem, Map<String, String> more) {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("https.ssl.server.ca-cert", caPem.toString());
    keys.put("https.retry.count", "2");
    keys.putAll(more);
    return keys;
  }
}
