package io.segmenttransfer.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.http.tls.ClientSecurity;
import io.segmenttransfer.http.tls.SecuritySettings;
import io.segmenttransfer.http.tls.ServerTlsConfig;
import io.segmenttransfer.http.tls.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS flags on the command line: a bootstrap from an HTTPS controller that requires client
 * certificates, and each unusable file refused in one line that names it (exit 2), before any work
 * starts. Credentials never appear in what a command prints.
 */
class TlsCommandLineTest {

  private static final String TOKEN = "tok-5ecret-never-printed";

  @TempDir Path dir;
  private TestCertificates.Authority ca;
  private TestCertificates.Pem server;
  private TestCertificates.Pem client;

  @BeforeEach
  void certificates() throws IOException {
    Path certs = Files.createDirectories(dir.resolve("certs"));
    ca = TestCertificates.authority(certs, "ca");
    server = ca.issue(certs, "controller", "controller", "127.0.0.1", "localhost");
    client = ca.issue(certs, "client", "client");
  }

  private static CommandLineTest.Run refused(String... args) {
    CommandLineTest.Run run = CommandLineTest.run(args);
    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.err().strip())
        .startsWith("error: ")
        .doesNotContain("\n")
        .doesNotContain("\tat ");
    return run;
  }

  @Test
  void bootstrapReadsAnHttpsControllerWithAClientCertificate() {
    EmbeddedController controller =
        EmbeddedController.start(
            ControllerConfig.defaults(dir.resolve("controller"))
                .withPort(0)
                .withSecurity(
                    new SecuritySettings(
                        Optional.of(
                            ServerTlsConfig.pem(server.certificate(), server.key())
                                .withClientCa(ca.certificate())),
                        ClientSecurity.none())));
    try {
      TableNameWithType table = TableNameWithType.parse("events_OFFLINE");
      ControllerClient admin =
          ControllerClient.create(
              controller.baseUrl(),
              ClientSecurity.none()
                  .withTrust(ca.certificate())
                  .withClientCertificate(client.certificate(), client.key()));
      admin.createTable(table, 1).block(Duration.ofSeconds(30));
      PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
      admin.uploadSegment(table, fixture.file()).block(Duration.ofSeconds(30));
      Path data = dir.resolve("data");

      CommandLineTest.Run run =
          CommandLineTest.run(
              "bootstrap",
              "--controller",
              controller.baseUrl(),
              "--table",
              "events",
              "--data-dir",
              data.toString(),
              "--tls-trust",
              ca.certificate().toString(),
              "--tls-client-cert",
              client.certificate().toString(),
              "--tls-client-key",
              client.key().toString(),
              "--auth-token",
              TOKEN,
              "--json");
      CommandLineTest.Run withoutCertificate =
          CommandLineTest.run(
              "bootstrap",
              "--controller",
              controller.baseUrl(),
              "--table",
              "events",
              "--data-dir",
              dir.resolve("other").toString(),
              "--tls-trust",
              ca.certificate().toString(),
              "--auth-user",
              "alice:" + TOKEN);

      assertThat(controller.baseUrl()).startsWith("https://");
      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.json().path("downloaded").asInt()).as(run.out()).isEqualTo(1);
      assertThat(Files.isDirectory(data.resolve("events_OFFLINE").resolve(fixture.segmentName())))
          .isTrue();
      assertThat(withoutCertificate.exitCode()).isNotZero();
      assertThat(withoutCertificate.err()).contains("TLS handshake with 127.0.0.1");
      for (CommandLineTest.Run r : new CommandLineTest.Run[] {run, withoutCertificate}) {
        assertThat(r.out() + r.err()).doesNotContain(TOKEN);
      }
    } finally {
      controller.close();
    }
  }

  @Test
  void unusableTlsFilesAreOneLineNamingTheFile() throws IOException {
    Path missing = dir.resolve("missing.pem");
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "hello");
    TestCertificates.Pem other = ca.issue(dir.resolve("certs"), "other", "other", "localhost");
    String data = dir.resolve("data").toString();

    assertThat(
            refused(
                    "controller",
                    "--port",
                    "0",
                    "--data-dir",
                    data,
                    "--tls-cert",
                    missing.toString(),
                    "--tls-key",
                    server.key().toString())
                .err())
        .contains(missing.toString())
        .contains("does not exist");
    assertThat(
            refused(
                    "server",
                    "--controller",
                    "http://127.0.0.1:1",
                    "--data-dir",
                    data,
                    "--admin-port",
                    "0",
                    "--tls-cert",
                    server.certificate().toString(),
                    "--tls-key",
                    other.key().toString())
                .err())
        .contains(other.key().toString())
        .contains("does not belong to the certificate");
    assertThat(
            refused(
                    "extract",
                    "--archive",
                    "https://127.0.0.1:1/x.tar.gz",
                    "--to",
                    data,
                    "--table",
                    "events_OFFLINE",
                    "--tls-trust",
                    garbage.toString())
                .err())
        .contains(garbage.toString())
        .contains("not a readable PEM certificate");
    assertThat(
            refused(
                    "sync",
                    "--controller",
                    "https://127.0.0.1:1",
                    "--table",
                    "events_OFFLINE",
                    "--tls-client-cert",
                    client.certificate().toString())
                .err())
        .contains("--tls-client-key");
  }
}
