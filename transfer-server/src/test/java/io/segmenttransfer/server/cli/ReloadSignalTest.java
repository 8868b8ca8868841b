package io.segmenttransfer.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.http.tls.ClientSecurity;
import io.segmenttransfer.http.tls.TestCertificates;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.http.client.HttpClient;

/**
 * SIGHUP to a real {@code controller} process re-reads its certificate: the rotated one serves the
 * next connection, and a broken key afterwards leaves that one serving; one log line each.
 */
class ReloadSignalTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void sighupReloadsTheControllersCertificateAndABrokenFileKeepsTheOldOne() throws Exception {
    TestCertificates.Authority ca = TestCertificates.authority(dir, "ca");
    TestCertificates.Pem first = ca.issue(dir, "controller", "first", "127.0.0.1");
    ProcessOutput controller =
        ProcessOutput.launch(
            dir.resolve("controller.log"),
            "controller",
            "--data-dir",
            dir.resolve("data").toString(),
            "--port",
            "0",
            "--tls-cert",
            first.certificate().toString(),
            "--tls-key",
            first.key().toString());
    try {
      URI url =
          URI.create(
              controller.await(Pattern.compile("controller listening on (https://\\S+)")).group(1)
                  + "/tables");
      HttpClient fresh =
          ClientSecurity.none().withTrust(ca.certificate()).configure(HttpClient.newConnection());
      assertThat(TestCertificates.presented(fresh, url, TIMEOUT).getSerialNumber())
          .isEqualTo(first.x509().getSerialNumber());

      TestCertificates.Pem rotated = ca.issue(dir, "controller", "rotated", "127.0.0.1");
      hangUp(controller);
      controller.await(Pattern.compile("TLS certificate reloaded on SIGHUP: CN=rotated "));
      assertThat(TestCertificates.presented(fresh, url, TIMEOUT).getSerialNumber())
          .isEqualTo(rotated.x509().getSerialNumber());

      Files.writeString(first.key(), "not a key");
      hangUp(controller);
      controller.await(
          Pattern.compile(
              "TLS certificate not reloaded on SIGHUP, the previous one stays in use: .*"
                  + Pattern.quote(first.key().toString())));
      assertThat(TestCertificates.presented(fresh, url, TIMEOUT).getSerialNumber())
          .isEqualTo(rotated.x509().getSerialNumber());

      controller.process().destroy();
      assertThat(controller.exit()).as(controller.all()).isZero();
    } finally {
      controller.process().destroyForcibly();
    }
  }

  private static void hangUp(ProcessOutput process) throws Exception {
    Process kill =
        new ProcessBuilder("kill", "-HUP", Long.toString(process.process().pid())).start();
    assertThat(kill.waitFor()).isZero();
  }
}
