package io.segmenttransfer.server.cli;

import static io.segmenttransfer.core.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.s3.S3Config;
import io.segmenttransfer.s3.S3SegmentStore;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * {@code extract} from the network: a real HTTP server and a real S3 API server, both on loopback.
 */
class RemoteExtractTest {

  @TempDir Path dir;

  @Test
  void extractsFromAnHttpUrlAndResumesAfterACutConnection() {
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    byte[] bytes = PinotFixtures.bytes(fixture);
    AtomicInteger requests = new AtomicInteger();
    // A server that cuts the first response after 200 000 bytes and honours Range afterwards.
    DisposableServer server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .route(
                routes ->
                    routes
                        .get(
                            "/segments/events/seg.tar.gz",
                            (request, response) -> {
                              int n = requests.incrementAndGet();
                              String range = request.requestHeaders().get("Range");
                              int from =
                                  range == null
                                      ? 0
                                      : Integer.parseInt(
                                          range.substring("bytes=".length(), range.length() - 1));
                              response.header("ETag", "\"v1\"");
                              if (range != null) {
                                response
                                    .status(206)
                                    .header(
                                        "Content-Range",
                                        "bytes "
                                            + from
                                            + "-"
                                            + (bytes.length - 1)
                                            + "/"
                                            + bytes.length);
                              }
                              int to = n == 1 ? 200_000 : bytes.length;
                              response.header(
                                  "Content-Length", Integer.toString(bytes.length - from));
                              return response
                                  .send(
                                      Flux.just(ByteBuffer.wrap(bytes, from, to - from))
                                          .map(
                                              b ->
                                                  response
                                                      .alloc()
                                                      .buffer(b.remaining())
                                                      .writeBytes(b)))
                                  .then(
                                      n == 1
                                          ? reactor.core.publisher.Mono.<Void>fromRunnable(
                                              () -> response.withConnection(c -> c.dispose()))
                                          : reactor.core.publisher.Mono.empty());
                            })
                        .head(
                            "/segments/events/seg.tar.gz",
                            (request, response) ->
                                response
                                    .header("ETag", "\"v1\"")
                                    .header("Content-Length", Integer.toString(bytes.length))
                                    .send()))
            .bindNow();
    try {
      String url = "http://127.0.0.1:" + server.port() + "/segments/events/seg.tar.gz";
      CommandLineTest.Run run =
          CommandLineTest.run(
              "extract",
              "--archive",
              url,
              "--to",
              dir.toString(),
              "--table",
              "events_OFFLINE",
              "--expect-crc",
              Long.toString(fixture.crc()),
              "--json");

      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.json().get("crc").asLong()).isEqualTo(fixture.crc());
      assertThat(run.json().get("attempts").asInt()).isEqualTo(2);
      assertThat(run.json().get("restarts").asInt()).isZero();
      assertThat(run.json().get("bytesBySource").get(url).asLong())
          .as("nothing fetched twice")
          .isEqualTo(bytes.length);
    } finally {
      server.disposeNow();
    }
  }

  /**
   * {@code --peer-codec} reaches the request: a peer of this project builds what the {@code Accept}
   * header names (PeerSegmentHandlerTest shows it serving the plain tar), and an unknown codec is a
   * usage error naming it.
   */
  @Test
  void thePeerCodecIsAskedForInTheAcceptHeader() {
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    byte[] bytes = PinotFixtures.bytes(fixture);
    List<String> accepts = new CopyOnWriteArrayList<>();
    DisposableServer server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .route(
                routes ->
                    // GET only: a download's first attempt sends no HEAD.
                    routes.get(
                        "/segments/events_OFFLINE/seg",
                        (request, response) -> {
                          accepts.add(request.requestHeaders().get("Accept"));
                          return response.sendByteArray(reactor.core.publisher.Mono.just(bytes));
                        }))
            .bindNow();
    try {
      String url = "http://127.0.0.1:" + server.port() + "/segments/events_OFFLINE/seg";
      for (String codec : List.of("none", "default")) {
        List<String> args =
            new java.util.ArrayList<>(
                List.of(
                    "extract",
                    "--archive",
                    url,
                    "--to",
                    dir.resolve(codec).toString(),
                    "--table",
                    "events_OFFLINE",
                    "--expect-crc",
                    Long.toString(fixture.crc()),
                    "--json"));
        if (!codec.equals("default")) {
          args.addAll(List.of("--peer-codec", codec));
        }
        CommandLineTest.Run run = CommandLineTest.run(args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.json().get("crc").asLong()).isEqualTo(fixture.crc());
      }
      assertThat(accepts)
          .containsExactly(
              "application/x-tar, application/octet-stream;q=0.9, */*;q=0.8",
              "application/zstd, application/octet-stream;q=0.9, */*;q=0.8");

      CommandLineTest.Run bad =
          CommandLineTest.run(
              "extract", "--archive", url, "--to", dir.toString(), "--peer-codec", "brotli");
      assertThat(bad.exitCode()).isEqualTo(2);
      assertThat(bad.err()).contains("'brotli' is not a codec: expected zstd, none, lz4 or gzip");
    } finally {
      server.disposeNow();
    }
  }

  @Test
  void extractsFromS3() throws Exception {
    // The CLI takes credentials from the SDK's default chain; system properties are part of it.
    String previousId = System.setProperty("aws.accessKeyId", "cli-test");
    String previousSecret = System.setProperty("aws.secretAccessKey", "cli-test-secret");
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(new TransientNio2BlobStore())
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "cli-test", "cli-test-secret")
            .ignoreUnknownHeaders(true)
            .build();
    proxy.start();
    try {
      await("S3Proxy started").until(() -> "STARTED".equals(proxy.getState()));
      URI endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
      PinotFixtures.Archive fixture = PinotFixtures.archive("tar.zst");
      URI object = URI.create("s3://segments/events/" + fixture.file().getFileName());
      S3Config config =
          S3Config.defaults()
              .withEndpoint(endpoint)
              .withPathStyle(true)
              .withCredentials(new S3Config.Credentials("cli-test", "cli-test-secret"));
      try (var client =
              software.amazon.awssdk.services.s3.S3AsyncClient.builder()
                  .endpointOverride(endpoint)
                  .forcePathStyle(true)
                  .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                  .credentialsProvider(
                      software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                          software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
                              "cli-test", "cli-test-secret")))
                  .build();
          S3SegmentStore store = S3SegmentStore.create(config)) {
        client.createBucket(b -> b.bucket("segments")).get();
        store
            .write(object, Flux.just(ByteBuffer.wrap(PinotFixtures.bytes(fixture))))
            .block(Duration.ofSeconds(30));
      }

      CommandLineTest.Run run =
          CommandLineTest.run(
              "extract",
              "--archive",
              object.toString(),
              "--to",
              dir.toString(),
              "--table",
              "events_OFFLINE",
              "--s3-endpoint",
              endpoint.toString(),
              "--s3-path-style",
              "--json");

      assertThat(run.exitCode()).as(run.err()).isZero();
      assertThat(run.json().get("crc").asLong()).isEqualTo(fixture.crc());
      assertThat(run.json().get("codec").asText()).isEqualTo("zstd");
    } finally {
      proxy.stop();
      restore("aws.accessKeyId", previousId);
      restore("aws.secretAccessKey", previousSecret);
    }
  }

  private static void restore(String property, String previous) {
    if (previous == null) {
      System.clearProperty(property);
    } else {
      System.setProperty(property, previous);
    }
  }
}
