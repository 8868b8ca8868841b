package io.segmenttransfer.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import io.segmenttransfer.http.auth.AuthMatrix;
import io.segmenttransfer.http.auth.PasswordHashes;
import io.segmenttransfer.http.auth.Permission;
import io.segmenttransfer.http.auth.TokenHashes;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

/**
 * {@code hash-password}, {@code hash-token}, and {@code controller} and {@code server} run with
 * {@code --auth-file} as processes: they answer 401 and 403 and serve the right principals, the
 * server registers with the secured controller under its own token ({@code --auth-token}), and none
 * of the secrets used appears in anything they print.
 */
class AuthCommandsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void hashPasswordReadsStandardInputAndPrintsABcryptHash() {
    CommandLineTest.Run run = withStdin("my password\n", "hash-password", "--cost", "4");

    assertThat(run.exitCode()).isZero();
    String hash = run.out().strip();
    assertThat(PasswordHashes.isWellFormed(hash)).isTrue();
    assertThat(PasswordHashes.matches("my password".getBytes(StandardCharsets.UTF_8), hash))
        .isTrue();
    assertThat(run.out() + run.err()).doesNotContain("my password");
  }

  @Test
  void hashPasswordRefusesWhatItCannotHash() {
    CommandLineTest.Run empty = withStdin("", "hash-password");
    assertThat(empty.exitCode()).isEqualTo(Main.EXIT_USAGE);
    assertThat(empty.err()).contains("no password: standard input was empty");

    String tooLong = "p".repeat(80);
    CommandLineTest.Run longOne = withStdin(tooLong + "\n", "hash-password", "--cost", "4");
    assertThat(longOne.exitCode()).isEqualTo(Main.EXIT_USAGE);
    assertThat(longOne.err()).contains("longer than 72 bytes").doesNotContain(tooLong);
  }

  @Test
  void hashTokenMakesATokenWithItsHashOrHashesOneGiven() {
    CommandLineTest.Run made = CommandLineTest.run("hash-token");
    assertThat(made.exitCode()).isZero();
    List<String> lines = made.out().lines().toList();
    assertThat(lines).hasSize(2);
    String token = lines.get(0).substring("token: ".length());
    assertThat(token).hasSize(43);
    assertThat(lines.get(1)).isEqualTo("token-sha256: " + TokenHashes.sha256Hex(token));

    CommandLineTest.Run given = withStdin("abc\n", "hash-token", "--stdin");
    assertThat(given.out().strip()).isEqualTo(TokenHashes.sha256Hex("abc"));
  }

  @Test
  void securedControllerAndServerProcessesNeverPrintTheSecrets() throws Exception {
    AuthMatrix secrets = new AuthMatrix();
    Path authFile = secrets.writeAuthFile(dir);
    ProcessOutput controller =
        ProcessOutput.launch(
            dir.resolve("controller.out"),
            "controller",
            "--port",
            "0",
            "--data-dir",
            dir.resolve("controller").toString(),
            "--auth-file",
            authFile.toString());
    // The server daemon's own principal: it registers, polls and downloads as one.
    String daemonToken = TokenHashes.newToken();
    Files.writeString(
        authFile,
        """
          - name: daemon
            token-sha256: %s
            permissions: [server, read]
        """
            .formatted(TokenHashes.sha256Hex(daemonToken)),
        StandardOpenOption.APPEND);
    ProcessOutput server = null;
    try {
      String controllerUrl =
          controller.await(Pattern.compile("controller listening on (http://\\S+)")).group(1);
      server =
          ProcessOutput.launch(
              dir.resolve("server.out"),
              "server",
              "--controller",
              controllerUrl,
              "--data-dir",
              dir.resolve("server").toString(),
              "--admin-port",
              "0",
              "--auth-file",
              authFile.toString(),
              "--auth-token",
              daemonToken);
      String serverUrl = server.await(Pattern.compile("listening on (http://\\S+)")).group(1);
      // Registered with the secured controller under its own token (registration follows the
      // listener's start, so it is awaited).
      String port = String.valueOf(URI.create(serverUrl).getPort());
      String read0 = secrets.credentialsFor(Permission.READ);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (!body(controllerUrl + "/instances", read0).contains(port)) {
        assertThat(System.nanoTime())
            .as("server registered within " + TIMEOUT)
            .isLessThan(deadline);
        Thread.sleep(100);
      }

      String admin = secrets.credentialsFor(Permission.ADMIN);
      String read = secrets.credentialsFor(Permission.READ);
      String table = "{\"tableName\":\"events\",\"tableType\":\"OFFLINE\"}";
      assertThat(status(HttpMethod.POST, controllerUrl + "/tables", null, table)).isEqualTo(401);
      assertThat(status(HttpMethod.POST, controllerUrl + "/tables", read, table)).isEqualTo(403);
      assertThat(status(HttpMethod.POST, controllerUrl + "/tables", admin, table)).isEqualTo(200);
      assertThat(status(HttpMethod.GET, controllerUrl + "/tables/events", read, null))
          .isEqualTo(200);
      assertThat(
              status(
                  HttpMethod.GET,
                  controllerUrl + "/tables/events",
                  "Basic "
                      + java.util.Base64.getEncoder()
                          .encodeToString("ops:wrong".getBytes(StandardCharsets.UTF_8)),
                  null))
          .isEqualTo(401);
      assertThat(status(HttpMethod.GET, serverUrl + "/transfers", null, null)).isEqualTo(401);
      assertThat(status(HttpMethod.GET, serverUrl + "/transfers", read, null)).isEqualTo(200);
      assertThat(status(HttpMethod.GET, serverUrl + "/metrics", read, null)).isEqualTo(200);
      assertThat(status(HttpMethod.GET, serverUrl + "/health", null, null)).isIn(200, 503);
      server.process().destroy();
      server.exit();
    } finally {
      controller.process().destroy();
      if (server != null) {
        server.process().destroy();
      }
      controller.exit();
    }
    String printed = controller.all() + "\n" + server.all();
    for (String secret : secrets.secrets()) {
      assertThat(printed).doesNotContain(secret);
    }
    assertThat(printed).doesNotContain(daemonToken);
    // Secured: no warning that the surfaces are open.
    assertThat(printed).doesNotContain("without --auth-file");
  }

  @Test
  void anOpenControllerSaysSoInOneLine() throws Exception {
    ProcessOutput controller =
        ProcessOutput.launch(
            dir.resolve("controller.out"),
            "controller",
            "--port",
            "0",
            "--data-dir",
            dir.resolve("controller").toString());
    try {
      String url =
          controller.await(Pattern.compile("controller listening on (http://\\S+)")).group(1);
      assertThat(controller.await(Pattern.compile("^warning: .*")).group())
          .isEqualTo(
              "warning: controller runs without --auth-file: anyone who reaches "
                  + url
                  + " may call every route (README: Authentication)");
    } finally {
      controller.process().destroy();
      controller.exit();
    }
  }

  private static int status(HttpMethod method, String url, String authorization, String json) {
    HttpClient client =
        HttpClient.newConnection()
            .headers(
                h -> {
                  if (authorization != null) {
                    h.set("Authorization", authorization);
                  }
                  h.set("Content-Type", "application/json");
                });
    HttpClient.ResponseReceiver<?> request =
        json == null
            ? client.request(method).uri(url)
            : client.request(method).uri(url).send(ByteBufFlux.fromString(Mono.just(json)));
    return request
        .responseSingle((response, body) -> body.then(Mono.just(response.status().code())))
        .block(TIMEOUT);
  }

  private static String body(String url, String authorization) {
    return HttpClient.newConnection()
        .headers(h -> h.set("Authorization", authorization))
        .get()
        .uri(url)
        .responseContent()
        .aggregate()
        .asString()
        .block(TIMEOUT);
  }

  private static CommandLineTest.Run withStdin(String input, String... args) {
    InputStream stdin = System.in;
    System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
    try {
      return CommandLineTest.run(args);
    } finally {
      System.setIn(stdin);
    }
  }
}
