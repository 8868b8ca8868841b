package io.segmenttransfer.server.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.transfer.RetryPolicy;
import io.segmenttransfer.server.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The controller is a real process, killed with SIGKILL in the middle of a commit and restarted on
 * its state directory: the segment is committed exactly once. The committer (a server daemon in
 * this JVM) reaches the controller through a proxy, which is how the test finds the moment: the
 * first {@code segmentCommitEndWithMetadata} either never reaches the controller (killed before),
 * or is decided and its answer lost (killed after). Either way the committer's retries finish the
 * commit against the restarted controller.
 */
class ControllerKilledMidCommitTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final TableNameWithType TABLE = TableNameWithType.parse("events_REALTIME");
  private static final SegmentId SEGMENT = new SegmentId(TABLE, "events__0__9__20261206T1200Z");
  private static final Pattern LISTENING = Pattern.compile("controller listening on (http://\\S+)");

  /** Where the kill falls, relative to the controller deciding the commit. */
  enum Kill {
    BEFORE_THE_COMMIT_END,
    AFTER_THE_COMMIT_END
  }

  @TempDir Path dir;
  private final List<ChildJvm> controllers = new ArrayList<>();
  private final AtomicReference<String> backend = new AtomicReference<>();
  private DisposableServer proxy;
  private SegmentServer committer;

  private ChildJvm startController() throws Exception {
    ChildJvm controller =
        ChildJvm.start(
            Map.of(),
            // The commit's own log line is how the test counts commits.
            List.of(
                "-Dorg.slf4j.simpleLogger.log.io.segmenttransfer.controller.completion.SegmentCompletion=info"),
            "controller",
            "--port",
            "0",
            "--data-dir",
            dir.resolve("controller").toString());
    controllers.add(controller);
    backend.set(controller.awaitLine(LISTENING).group(1));
    return controller;
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (committer != null) {
      committer.close();
    }
    if (proxy != null) {
      proxy.disposeNow();
    }
    for (ChildJvm controller : controllers) {
      controller.close();
    }
  }

  @ParameterizedTest
  @EnumSource(Kill.class)
  void aCommitCutByAControllerCrashIsCompletedOnceAfterTheRestart(Kill kill) throws Exception {
    startController();
    AtomicBoolean killed = new AtomicBoolean();
    proxy =
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
                              boolean commitEnd =
                                  request.uri().contains("segmentCommitEnd")
                                      && killed.compareAndSet(false, true);
                              if (!commitEnd) {
                                return forward(request, body).flatMap(a -> a.sendTo(response));
                              }
                              Mono<Void> crash = crashAndRestart();
                              Mono<Void> lost =
                                  Mono.fromRunnable(
                                      () -> response.withConnection(c -> c.dispose()));
                              return kill == Kill.BEFORE_THE_COMMIT_END
                                  ? crash.then(lost)
                                  : forward(request, body).then(crash).then(lost);
                            }))
            .bindNow();
    String viaProxy = "http://127.0.0.1:" + proxy.port();
    ControllerClient client = ControllerClient.create(viaProxy);
    client.createTable(TABLE, 1).block(TIMEOUT);
    committer =
        SegmentServer.start(
                ServerSettings.fromFile(null)
                    .override("controller", viaProxy)
                    .override("dataDir", dir.resolve("committer"))
                    .override("adminPort", 0)
                    .override("longPoll", "2s")
                    .override("deepStore", dir.resolve("controller").resolve("deepstore").toUri())
                    .toConfig()
                    .withCommit(
                        CommitConfig.defaults()
                            .withRetries(
                                Duration.ofMillis(200),
                                new RetryPolicy(
                                    Integer.MAX_VALUE,
                                    Duration.ofMillis(100),
                                    2,
                                    Duration.ofSeconds(1),
                                    0.2),
                                CommitConfig.DEFAULT_UPLOAD_RETRY)))
            .block(TIMEOUT);
    Path built =
        TestRealtimeSegment.write(
            Files.createDirectories(dir.resolve("built")),
            SEGMENT.segmentName(),
            "9100",
            200_000,
            9);

    JsonNode answer = DeepStoreTestCluster.commit(committer, SEGMENT, built);

    assertThat(killed).as("the proxy saw the commit end and killed the controller").isTrue();
    assertThat(controllers).hasSize(2);
    assertThat(answer.path("status").asText()).as(answer.toString()).isEqualTo("COMMIT_SUCCESS");
    long crc = Long.parseLong(answer.path("crc").asText());
    SegmentMetadata committed = client.metadata(SEGMENT).block(TIMEOUT);
    assertThat(committed.field("segment.realtime.status")).hasValue("DONE");
    assertThat(committed.field("segment.realtime.endOffset")).hasValue("9100");
    assertThat(committed.crc()).isEqualTo(crc);
    // Exactly once, across both controller processes.
    List<String> commits = new ArrayList<>();
    for (ChildJvm controller : controllers) {
      controller.output().stream()
          .filter(line -> line.contains(" committed " + SEGMENT))
          .forEach(commits::add);
    }
    assertThat(commits).as(String.join("\n", controllers.get(1).output())).hasSize(1);
    // And it goes on as usual: the upload is recorded, and what the URL serves is this build.
    await()
        .atMost(TIMEOUT)
        .until(() -> !client.metadata(SEGMENT).block(TIMEOUT).downloadUrl().orElse("").isEmpty());
    String url = client.metadata(SEGMENT).block(TIMEOUT).downloadUrl().orElseThrow();
    assertThat(url).isEqualTo(backend.get() + "/segments/events/" + SEGMENT.segmentName());
    assertThat(committer.directory().localCrcs(TABLE).block(TIMEOUT))
        .containsEntry(SEGMENT.segmentName(), crc);
  }

  /** SIGKILL the controller, start a new one on the same state, and point the proxy at it. */
  private Mono<Void> crashAndRestart() {
    return Mono.<Void>fromCallable(
            () -> {
              controllers.get(controllers.size() - 1).kill();
              startController();
              return null;
            })
        .subscribeOn(Schedulers.boundedElastic());
  }

  /** The request as it came, to the controller of the moment. */
  private Mono<Answer> forward(HttpServerRequest request, byte[] body) {
    return HttpClient.create()
        .headers(
            headers ->
                request
                    .requestHeaders()
                    .forEach(
                        header -> {
                          if (!header.getKey().equalsIgnoreCase("host")
                              && !header.getKey().equalsIgnoreCase("connection")) {
                            headers.add(header.getKey(), header.getValue());
                          }
                        }))
        .request(request.method())
        .uri(backend.get() + request.uri())
        .send(body.length == 0 ? Mono.empty() : Mono.just(Unpooled.wrappedBuffer(body)))
        .responseSingle(
            (head, content) ->
                content
                    .asByteArray()
                    .defaultIfEmpty(new byte[0])
                    .map(bytes -> new Answer(head.status(), head.responseHeaders(), bytes)));
  }

  private record Answer(HttpResponseStatus status, HttpHeaders headers, byte[] body) {
    Mono<Void> sendTo(HttpServerResponse response) {
      String type = headers.get(HttpHeaderNames.CONTENT_TYPE);
      if (type != null) {
        response.header(HttpHeaderNames.CONTENT_TYPE, type);
      }
      return response.status(status).sendByteArray(Mono.just(body)).then();
    }
  }
}
