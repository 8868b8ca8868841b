package io.segmenttransfer.controller.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.segmenttransfer.controller.api.CompletionRequest;
import io.segmenttransfer.controller.api.CompletionStatus;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

/** The completion calls on the wire: method, path, query, body; answers and failures. */
class CompletionClientTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final CompletionRequest REQUEST =
      CompletionRequest.of("events__0__3__20261206T1200Z", "Server_a_1", "1500");

  /** One request as the server saw it. */
  record Seen(String method, String path, String query, String contentType, byte[] body) {}

  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private volatile int status = 200;
  private volatile String answer =
      "{\"status\":\"COMMIT_SUCCESS\",\"offset\":-1,\"buildTimeSec\":-1,\"isSplitCommitType\":true}";
  private DisposableServer server;
  private CompletionClient client;

  @BeforeEach
  void start() {
    server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .handle(
                (request, response) ->
                    request
                        .receive()
                        .aggregate()
                        .asByteArray()
                        .defaultIfEmpty(new byte[0])
                        .flatMap(
                            body -> {
                              QueryStringDecoder uri = new QueryStringDecoder(request.uri());
                              seen.add(
                                  new Seen(
                                      request.method().name(),
                                      uri.path(),
                                      uri.rawQuery(),
                                      request.requestHeaders().get("Content-Type", ""),
                                      body));
                              return response
                                  .status(status)
                                  .sendByteArray(Mono.just(answer.getBytes(StandardCharsets.UTF_8)))
                                  .then();
                            }))
            .bindNow();
    client = new CompletionClient(HttpClient.create(), "http://127.0.0.1:" + server.port() + "/");
  }

  @AfterEach
  void stop() {
    server.disposeNow();
  }

  @Test
  void getCallsSendTheQueryAndReadTheAnswer() {
    StepVerifier.create(client.segmentConsumed(REQUEST.withReason("rowLimit")))
        .assertNext(
            response -> assertThat(response.status()).isEqualTo(CompletionStatus.COMMIT_SUCCESS))
        .verifyComplete();
    client.segmentCommitStart(REQUEST).block(TIMEOUT);
    client.segmentStoppedConsuming(REQUEST.withReason("error")).block(TIMEOUT);
    client.extendBuildTime(REQUEST.withExtraTimeSec(30)).block(TIMEOUT);
    client
        .segmentCommitEnd(REQUEST.withLocation("s3://b/k"), "TinkStreamingAeadCrypter")
        .block(TIMEOUT);

    assertThat(seen).extracting(Seen::method).containsOnly("GET");
    assertThat(seen)
        .extracting(Seen::path)
        .containsExactly(
            "/segmentConsumed",
            "/segmentCommitStart",
            "/segmentStoppedConsuming",
            "/extendBuildTime",
            "/segmentCommitEnd");
    assertThat(seen.get(0).query()).isEqualTo(REQUEST.withReason("rowLimit").toQuery());
    assertThat(seen.get(3).query()).contains("extraTimeSec=30");
    assertThat(seen.get(4).query())
        .isEqualTo(
            REQUEST.withLocation("s3://b/k").toQuery() + "&crypter=TinkStreamingAeadCrypter");
  }

  @Test
  void commitEndWithMetadataSendsExactlyTheTwoFiles() {
    byte[] properties = "segment.total.docs = 42\n".getBytes(StandardCharsets.UTF_8);
    byte[] creationMeta = {
      0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 1, -117, -49, -25, 4, 0, '\r', '\n', '-', '-'
    };

    client
        .segmentCommitEndWithMetadata(
            REQUEST.withLocation("peer://x"), properties, creationMeta, null)
        .block(TIMEOUT);

    Seen request = seen.get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.path()).isEqualTo("/segmentCommitEndWithMetadata");
    assertThat(request.query()).isEqualTo(REQUEST.withLocation("peer://x").toQuery());
    String boundary =
        request.contentType().substring(request.contentType().indexOf("boundary=") + 9);
    String expected =
        "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"metadata.properties\"; filename=\"metadata.properties\""
            + "\r\nContent-Type: application/octet-stream\r\n\r\n"
            + new String(properties, StandardCharsets.ISO_8859_1)
            + "\r\n"
            + "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"creation.meta\"; filename=\"creation.meta\""
            + "\r\nContent-Type: application/octet-stream\r\n\r\n"
            + new String(creationMeta, StandardCharsets.ISO_8859_1)
            + "\r\n"
            + "--"
            + boundary
            + "--\r\n";
    assertThat(new String(request.body(), StandardCharsets.ISO_8859_1)).isEqualTo(expected);
  }

  @Test
  void archiveCallsStreamTheArchiveAsOnePart() {
    answer =
        "{\"status\":\"UPLOAD_SUCCESS\",\"offset\":-1,\"segmentLocation\":\"http://c/segments/x\"}";
    Flux<ByteBuffer> archive =
        Flux.just(ByteBuffer.wrap(new byte[] {1, 2}), ByteBuffer.wrap(new byte[] {3}));

    StepVerifier.create(client.segmentUpload(REQUEST, archive))
        .assertNext(
            response -> assertThat(response.segmentLocation()).isEqualTo("http://c/segments/x"))
        .verifyComplete();
    client.segmentCommit(REQUEST, archive, null).block(TIMEOUT);

    assertThat(seen).extracting(Seen::path).containsExactly("/segmentUpload", "/segmentCommit");
    for (Seen request : seen) {
      String text = new String(request.body(), StandardCharsets.ISO_8859_1);
      assertThat(text)
          .contains("name=\"" + REQUEST.segmentName() + "\"")
          .contains("\r\n\r\n\u0001\u0002\u0003\r\n--");
    }
  }

  @Test
  void failuresAreTheCoresExceptions() {
    status = 503;
    answer = "{\"code\":503,\"error\":\"controller stopping\"}";
    StepVerifier.create(client.segmentConsumed(REQUEST))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(SourceUnavailableException.class)
                    .hasMessageContaining("controller stopping"))
        .verify(TIMEOUT);

    status = 200;
    answer = "not json";
    StepVerifier.create(client.segmentConsumed(REQUEST))
        .expectError(InvalidRequestException.class)
        .verify(TIMEOUT);

    answer = "{\"status\":\"SOMETHING\"}";
    StepVerifier.create(client.segmentConsumed(REQUEST))
        .expectError(InvalidRequestException.class)
        .verify(TIMEOUT);
  }
}
