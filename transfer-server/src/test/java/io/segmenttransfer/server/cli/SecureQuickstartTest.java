package io.segmenttransfer.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.http.tls.ClientCredentials;
import io.segmenttransfer.http.tls.ClientSecurity;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * {@code quickstart --secure} end to end in this JVM, with the S3 deep store (so its keys are among
 * the secrets): the whole story over HTTPS with auth, while the test itself knocks on the running
 * controller (anonymous: 401; plain HTTP: no answer; the printed read token: 200), and afterwards
 * every output (stdout, stderr, the log) is searched for what must never show.
 */
class SecureQuickstartTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern CONTROLLER = Pattern.compile("controller at (https://\\S+),");
  private static final Pattern TOKEN = Pattern.compile("export (QUICKSTART_\\w+_TOKEN)=(\\S+)");

  /** The in-process S3 server's secret key is a random UUID; nothing printed is UUID-shaped. */
  private static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  @TempDir Path dir;

  @Test
  void runsTheStoryOnASecuredClusterAndShowsNoSecretButTheTokensOnce() throws Exception {
    Path work = dir.resolve("work");
    Output out = new Output();
    Output err = new Output();
    Output log = new Output();
    PrintStream stderr = System.err;
    System.setErr(new PrintStream(new Tee(log, stderr), true, StandardCharsets.UTF_8));
    int exitCode;
    List<String> knocks = new ArrayList<>();
    try {
      CommandLine commandLine = Main.newCommandLine();
      commandLine.setOut(new PrintWriter(out, true));
      commandLine.setErr(new PrintWriter(err, true));
      CompletableFuture<Integer> run =
          CompletableFuture.supplyAsync(
              () ->
                  commandLine.execute(
                      "quickstart",
                      "--secure",
                      "--s3",
                      "--segments",
                      "2",
                      "--segment-size-mb",
                      "1",
                      "--work-dir",
                      work.toString()));
      // While it runs: the controller, as someone on the network meets it.
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (!run.isDone()
          && !CONTROLLER.matcher(out.text()).find()
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      Matcher url = CONTROLLER.matcher(out.text());
      assertThat(url.find()).as(out.text() + err.text()).isTrue();
      knocks.addAll(knock(url.group(1), work.resolve("security").resolve("ca.crt"), out.text()));
      exitCode = run.get(5, TimeUnit.MINUTES);
    } finally {
      System.setErr(stderr);
    }
    String stdout = out.text();
    assertThat(exitCode).as(stdout + err.text()).isZero();
    assertThat(knocks)
        .containsExactly("anonymous 401", "plain HTTP refused", "printed read token 200");

    assertThat(stdout)
        .contains("[0] secured: HTTPS everywhere")
        .contains("trust security/ca.crt")
        .containsPattern("controller at https://127\\.0\\.0\\.1:\\d+, deep store: bucket s3://")
        .contains("answered 401")
        .contains("plain HTTP to that port: no HTTP answer")
        .contains("sources     deepstore-s3 1 segment, peer 1 segment")
        .contains("the peer fallback worked")
        .contains("(replication 2, peer download over https)")
        .contains("all from source 'peer'; ONLINE on A and B")
        .containsPattern("the commit story held: CRC \\d+ everywhere");

    // The tokens: printed once, on stdout, and nowhere else.
    Matcher tokens = TOKEN.matcher(stdout);
    List<String> secrets = new ArrayList<>();
    while (tokens.find()) {
      secrets.add(tokens.group(2));
      assertThat(stdout.split(Pattern.quote(tokens.group(2)), -1)).hasSize(2);
    }
    assertThat(secrets).hasSize(3);
    String elsewhere = err.text() + log.text();
    for (String token : secrets) {
      assertThat(elsewhere).doesNotContain(token);
    }
    // Never shown anywhere: the tokens' hashes, every private key's lines, the S3 secret key.
    List<String> hidden = new ArrayList<>();
    Files.readString(work.resolve("security").resolve("auth.yml"))
        .lines()
        .filter(line -> line.contains("token-sha256:"))
        .map(line -> line.replaceAll(".*token-sha256:\\s*", "").trim())
        .forEach(hidden::add);
    assertThat(hidden).hasSize(3);
    try (Stream<Path> files = Files.list(work.resolve("security"))) {
      for (Path key : files.filter(f -> f.toString().endsWith(".key")).toList()) {
        Files.readString(key).lines().filter(l -> !l.startsWith("-----")).forEach(hidden::add);
      }
    }
    assertThat(hidden).hasSizeGreaterThan(3 + 4); // four key files (controller, client, A, B)
    String everything = stdout + elsewhere;
    for (String secret : hidden) {
      assertThat(everything).doesNotContain(secret);
    }
    assertThat(UUID.matcher(everything).find()).as("a UUID-shaped string was shown").isFalse();
  }

  /** Three requests to the running controller; what each got, in words. */
  private static List<String> knock(String controller, Path ca, String printed) {
    List<String> seen = new ArrayList<>();
    URI tables = URI.create(controller + "/tables");
    seen.add("anonymous " + status(ClientSecurity.none().withTrust(ca), tables));
    URI plain = URI.create(controller.replaceFirst("^https:", "http:") + "/tables");
    assertThatThrownBy(
            () ->
                HttpClient.newConnection()
                    .get()
                    .uri(plain)
                    .responseSingle((r, body) -> body.then(Mono.just(r.status().code())))
                    .block(TIMEOUT))
        .as("plain HTTP to the HTTPS port")
        .isNotNull();
    seen.add("plain HTTP refused");
    Matcher read = Pattern.compile("QUICKSTART_READ_TOKEN=(\\S+)").matcher(printed);
    assertThat(read.find()).isTrue();
    seen.add(
        "printed read token "
            + status(
                ClientSecurity.none()
                    .withTrust(ca)
                    .withCredentials(ClientCredentials.bearer(read.group(1))),
                tables));
    return seen;
  }

  private static int status(ClientSecurity security, URI uri) {
    return security
        .configure(HttpClient.newConnection())
        .get()
        .uri(uri)
        .responseSingle((response, body) -> body.then(Mono.just(response.status().code())))
        .block(TIMEOUT);
  }

  /** Collects what is written, readable while the command still writes. */
  private static final class Output extends OutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      bytes.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      bytes.write(b, off, len);
    }

    synchronized String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  /** Writes to both: the captured copy, and the console as before. */
  private static final class Tee extends OutputStream {
    private final OutputStream first;
    private final OutputStream second;

    Tee(OutputStream first, OutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public synchronized void write(int b) throws java.io.IOException {
      first.write(b);
      second.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws java.io.IOException {
      first.write(b, off, len);
      second.write(b, off, len);
    }
  }
}
