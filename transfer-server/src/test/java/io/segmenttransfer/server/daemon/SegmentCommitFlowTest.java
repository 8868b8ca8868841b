package io.segmenttransfer.server.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.segmenttransfer.controller.api.CompletionStatus;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.crypto.TinkStreamingCrypter;
import io.segmenttransfer.core.local.DataDirectoryConfig;
import io.segmenttransfer.core.local.SegmentOutcome;
import io.segmenttransfer.core.runtime.RuntimeConfig;
import io.segmenttransfer.core.runtime.TransferRuntime;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.store.DeepStoreLayout;
import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.transfer.PeerFinder;
import io.segmenttransfer.core.transfer.RetryPolicy;
import io.segmenttransfer.core.transfer.TransferListener;
import io.segmenttransfer.server.daemon.FakeCompletionController.Answer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

/**
 * The commit flow of a real server against a fake controller on loopback: the exact requests
 * (order, parameters, multipart parts), each decision the controller may give, the deadline, and
 * the background upload (success, a deep store that refuses writes, an encrypted table).
 */
class SegmentCommitFlowTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String RAW = "events";
  private static final String TABLE = RAW + "_REALTIME";
  private static final String SEGMENT = RAW + "__0__7__20261206T1200Z";
  private static final SegmentId ID = SegmentId.of(TABLE, SEGMENT);

  /** Fast but real: the same code paths, waits in milliseconds. */
  private static final CommitConfig FAST =
      CommitConfig.defaults()
          .withRetries(
              Duration.ofMillis(50),
              new RetryPolicy(
                  Integer.MAX_VALUE, Duration.ofMillis(20), 2, Duration.ofMillis(200), 0.2),
              new RetryPolicy(3, Duration.ofMillis(20), 2, Duration.ofMillis(100), 0.2));

  @TempDir Path dir;
  private FakeCompletionController controller;
  private final List<SegmentServer> servers = new ArrayList<>();
  private Path built;

  @BeforeEach
  void setUp() throws IOException {
    controller = new FakeCompletionController();
    built =
        TestRealtimeSegment.write(
            Files.createDirectories(dir.resolve("built")), SEGMENT, "1234", 200_000, 1);
  }

  @AfterEach
  void tearDown() {
    servers.forEach(SegmentServer::close);
    controller.close();
  }

  private SegmentServer server(String name, URI deepStore, CommitConfig commit, Path keyset) {
    ServerSettings settings =
        ServerSettings.fromFile(null)
            .override("controller", controller.baseUrl())
            .override("dataDir", dir.resolve(name))
            .override("adminPort", 0)
            .override("longPoll", "1s")
            .override("deepStore", deepStore)
            .override("keyset", keyset);
    SegmentServer server =
        SegmentServer.start(settings.toConfig().withCommit(commit)).block(TIMEOUT);
    servers.add(server);
    return server;
  }

  private SegmentServer server(URI deepStore) {
    return server("server", deepStore, FAST, null);
  }

  private URI deepStore() {
    return dir.resolve("deepstore").toUri();
  }

  /** POSTs the commit request; answers the HTTP status and the JSON body. */
  private static JsonNode commit(SegmentServer server, String body) {
    String text =
        HttpClient.create()
            .headers(h -> h.set("Content-Type", "application/json"))
            .post()
            .uri(server.baseUrl() + "/segments/" + TABLE + "/" + SEGMENT + "/commit")
            .send(ByteBufFlux.fromString(Mono.just(body)))
            .responseSingle(
                (response, content) ->
                    content
                        .asString()
                        .defaultIfEmpty("")
                        .map(
                            t ->
                                "{\"_http\":"
                                    + response.status().code()
                                    + ",\"body\":"
                                    + (t.isEmpty() ? "null" : t)
                                    + "}"))
            .block(TIMEOUT);
    try {
      return FakeCompletionController.JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError(text, e);
    }
  }

  private JsonNode commit(SegmentServer server) {
    return commit(server, "{\"segmentDir\":\"" + built + "\"}");
  }

  private static int peerStatus(SegmentServer server) {
    return HttpClient.create()
        .get()
        .uri(server.baseUrl() + "/segments/" + TABLE + "/" + SEGMENT)
        .responseSingle((response, content) -> content.then(Mono.just(response.status().code())))
        .block(TIMEOUT);
  }

  private long crc() throws IOException {
    return io.segmenttransfer.core.segment.CreationMeta.parse(
            Files.readAllBytes(built.resolve("v3/creation.meta")), 24)
        .crc();
  }

  @Test
  void commitsMetadataFirstThenUploadsAndRecordsTheUrl() throws IOException {
    Map<String, String> before = DirectorySnapshot.of(built);
    SegmentServer server = server(deepStore());
    URI archive = new DeepStoreLayout(deepStore()).archive(ID, Codec.GZIP);

    JsonNode answer = commit(server);

    assertThat(answer.path("_http").asInt()).isEqualTo(200);
    assertThat(answer.path("body").path("status").asText()).isEqualTo("COMMIT_SUCCESS");
    // Metadata first: peers only until the upload records its URL.
    assertThat(answer.path("body").path("downloadUrl").asText()).isEmpty();
    assertThat(answer.path("body").path("uploadUrl").asText()).isEqualTo(archive.toString());
    assertThat(answer.path("body").path("crc").asText()).isEqualTo(Long.toString(crc()));
    assertThat(answer.path("body").path("segmentName").asText()).isEqualTo(SEGMENT);
    assertThat(controller.paths())
        .containsExactly(
            "/segmentConsumed", "/segmentCommitStart", "/segmentCommitEndWithMetadata");
    for (FakeCompletionController.Call call : controller.calls) {
      assertThat(call.param("name")).isEqualTo(SEGMENT);
      assertThat(call.param("instance")).isEqualTo(server.instanceId());
      // No offset given: the segment's own end offset.
      assertThat(call.param("streamPartitionMsgOffset")).isEqualTo("1234");
    }
    FakeCompletionController.Call end = controller.calls.get(2);
    assertThat(end.param("location")).isEqualTo("peer://" + SEGMENT);
    assertThat(Long.parseLong(end.param("segmentSizeBytes"))).isGreaterThan(200_000);
    assertThat(end.param("crypter")).isNull();
    assertThat(end.parts().keySet()).containsExactly("metadata.properties", "creation.meta");
    assertThat(end.parts().get("metadata.properties"))
        .isEqualTo(Files.readAllBytes(built.resolve("v3/metadata.properties")));
    assertThat(end.parts().get("creation.meta"))
        .isEqualTo(Files.readAllBytes(built.resolve("v3/creation.meta")));
    assertThat(controller.states).containsEntry(TABLE + "/" + SEGMENT, "ONLINE");

    await().atMost(TIMEOUT).until(() -> controller.downloadUrlPuts.size() == 1);
    JsonNode put = controller.downloadUrlPuts.get(0);
    assertThat(put.path("downloadUrl").asText()).isEqualTo(archive.toString());
    assertThat(put.path("crc").asText()).isEqualTo(Long.toString(crc()));
    byte[] stored = Files.readAllBytes(Path.of(archive));
    assertThat(stored[0] & 0xff).isEqualTo(0x1f);
    assertThat(stored[1] & 0xff).isEqualTo(0x8b);
    await().atMost(TIMEOUT).until(() -> server.pendingUploads() == 0);
    assertThat(server.metrics().scrape()).contains("segment_commit_uploads_succeeded_total 1.0");

    // The installed copy serves peers; the source was only read.
    assertThat(peerStatus(server)).isEqualTo(200);
    assertThat(DirectorySnapshot.of(server.directory().dataDir().resolve(TABLE).resolve(SEGMENT)))
        .isEqualTo(before);
    assertThat(DirectorySnapshot.of(built)).isEqualTo(before);
  }

  @Test
  void anOffsetInTheBodyOrQueryWins() {
    SegmentServer server = server(deepStore());

    JsonNode answer =
        commit(server, "{\"segmentDir\":\"" + built + "\",\"offset\":\"{\\\"kafka\\\":99}\"}");

    assertThat(answer.path("body").path("status").asText()).isEqualTo("COMMIT_SUCCESS");
    assertThat(controller.calls.get(0).param("streamPartitionMsgOffset"))
        .isEqualTo("{\"kafka\":99}");
  }

  @Test
  void holdIsAskedAgainUntilCommit() {
    controller.script(
        "/segmentConsumed", Answer.of(CompletionStatus.HOLD), Answer.of(CompletionStatus.HOLD));
    SegmentServer server = server(deepStore());

    JsonNode answer = commit(server);

    assertThat(answer.path("body").path("status").asText()).isEqualTo("COMMIT_SUCCESS");
    assertThat(controller.paths())
        .containsExactly(
            "/segmentConsumed",
            "/segmentConsumed",
            "/segmentConsumed",
            "/segmentCommitStart",
            "/segmentCommitEndWithMetadata");
  }

  @Test
  void notLeaderIsRetried() {
    controller.script("/segmentConsumed", Answer.of(CompletionStatus.NOT_LEADER));
    controller.script("/segmentCommitStart", Answer.of(CompletionStatus.NOT_LEADER));
    SegmentServer server = server(deepStore());

    JsonNode answer = commit(server);

    assertThat(answer.path("body").path("status").asText()).isEqualTo("COMMIT_SUCCESS");
    assertThat(controller.paths())
        .containsExactly(
            "/segmentConsumed",
            "/segmentConsumed",
            "/segmentCommitStart",
            "/segmentConsumed",
            "/segmentCommitStart",
            "/segmentCommitEndWithMetadata");
  }

  @Test
  void failedAndUnreachableAreRetriedWithinTheDeadline() {
    controller.script("/segmentConsumed", Answer.http(503));
    controller.script("/segmentCommitEndWithMetadata", Answer.of(CompletionStatus.FAILED));
    SegmentServer server = server(deepStore());

    JsonNode answer = commit(server);

    assertThat(answer.path("body").path("status").asText()).isEqualTo("COMMIT_SUCCESS");
    assertThat(controller.paths())
        .containsExactly(
            "/segmentConsumed",
            "/segmentConsumed",
            "/segmentCommitStart",
            "/segmentCommitEndWithMetadata",
            "/segmentConsumed",
            "/segmentCommitStart",
            "/segmentCommitEndWithMetadata");
  }

  @Test
  void noDecisionWithinTheDeadlineIsAFailure() {
    for (int i = 0; i < 200; i++) {
      controller.script("/segmentConsumed", Answer.of(CompletionStatus.HOLD));
    }
    SegmentServer server =
        server("server", deepStore(), FAST.withDeadline(Duration.ofMillis(600)), null);

    JsonNode answer = commit(server);

    assertThat(answer.path("_http").asInt()).isEqualTo(504);
    assertThat(answer.path("body").path("status").asText()).isEqualTo("FAILED");
    assertThat(answer.path("body").path("error").asText()).contains("commitDeadline");
    assertThat(controller.paths()).doesNotContain("/segmentCommitStart");
    assertThat(controller.states).isEmpty();
  }

  @Test
  void keepKeepsTheLocalCopy() {
    controller.script("/segmentConsumed", Answer.of(CompletionStatus.KEEP));
    SegmentServer server = server(deepStore());

    JsonNode answer = commit(server);

    assertThat(answer.path("body").path("status").asText()).isEqualTo("KEEP");
    assertThat(controller.paths()).containsExactly("/segmentConsumed");
    assertThat(peerStatus(server)).isEqualTo(200);
    assertThat(server.pendingUploads()).isZero();
  }

  @Test
  void discardRemovesTheLocalCopy() {
    controller.script("/segmentConsumed", Answer.of(CompletionStatus.DISCARD));
    SegmentServer server = server(deepStore());

    JsonNode answer = commit(server);

    assertThat(answer.path("body").path("status").asText()).isEqualTo("DISCARD");
    assertThat(peerStatus(server)).isEqualTo(404);
    assertThat(server.directory().dataDir().resolve(TABLE).resolve(SEGMENT)).doesNotExist();
    assertThat(built).isDirectory();
  }

  @Test
  void aDirectoryThatIsNotAPinotSegmentIsRefusedBeforeTheControllerIsAsked() throws IOException {
    Files.write(built.resolve("v3/columns.psf"), new byte[] {1, 2, 3});
    SegmentServer server = server(deepStore());

    JsonNode answer = commit(server);

    assertThat(answer.path("_http").asInt()).isEqualTo(400);
    assertThat(answer.path("body").path("error").asText()).contains("CRC");
    assertThat(controller.calls).isEmpty();
    assertThat(server.directory().dataDir().resolve(TABLE).resolve(SEGMENT)).doesNotExist();
  }

  @Test
  void aDeepStoreThatRefusesWritesLeavesTheSegmentToPeers() throws IOException {
    // A regular file where the deep store's directory should be: every write fails, even as root.
    Path blocker = Files.writeString(dir.resolve("blocker"), "not a directory");
    SegmentServer server = server(blocker.resolve("deepstore").toUri());

    JsonNode answer = commit(server);

    assertThat(answer.path("body").path("status").asText()).isEqualTo("COMMIT_SUCCESS");
    await()
        .atMost(TIMEOUT)
        .until(() -> server.metrics().scrape().contains("segment_commit_uploads_failed_total 1.0"));
    assertThat(server.pendingUploads()).isZero();
    assertThat(controller.downloadUrlPuts).isEmpty();
    assertThat(controller.states).containsEntry(TABLE + "/" + SEGMENT, "ONLINE");
    assertThat(peerStatus(server)).isEqualTo(200);
  }

  @Test
  void withoutADeepStoreTheCommitNamesPeers() {
    SegmentServer server = server(null);

    JsonNode answer = commit(server);

    assertThat(answer.path("body").path("status").asText()).isEqualTo("COMMIT_SUCCESS");
    assertThat(answer.path("body").path("downloadUrl").asText()).isEmpty();
    assertThat(controller.calls.get(2).param("location")).isEqualTo("peer://" + SEGMENT);
    assertThat(answer.path("body").has("uploadUrl")).isFalse();
    assertThat(server.pendingUploads()).isZero();
  }

  @Test
  void anEncryptedTableUploadsCiphertextThatTheReadPathLoads() throws IOException {
    Path keyset =
        Files.writeString(dir.resolve("keyset.json"), TinkStreamingCrypter.generateKeysetJson());
    controller.tableConfig(RAW, TinkStreamingCrypter.NAME);
    SegmentServer server = server("server", deepStore(), FAST, keyset);
    URI archive = new DeepStoreLayout(deepStore()).archive(ID, Codec.GZIP);

    JsonNode answer = commit(server);

    assertThat(answer.path("body").path("status").asText()).isEqualTo("COMMIT_SUCCESS");
    assertThat(controller.calls.get(2).param("crypter")).isEqualTo(TinkStreamingCrypter.NAME);
    await().atMost(TIMEOUT).until(() -> controller.downloadUrlPuts.size() == 1);
    byte[] stored = Files.readAllBytes(Path.of(archive));
    assertThat(stored[0] == (byte) 0x1f && stored[1] == (byte) 0x8b)
        .as("gzip magic in the deep store")
        .isFalse();

    try (TransferRuntime runtime =
        new TransferRuntime(
            "reader",
            RuntimeConfig.defaults(),
            CrypterRegistry.fromConfig(CrypterConfig.tink(keyset)),
            List.of())) {
      SegmentMetadata metadata =
          SegmentMetadata.of(
              ID,
              Map.of(
                  SegmentMetadata.CRC,
                  Long.toString(crc()),
                  SegmentMetadata.DOWNLOAD_URL,
                  archive.toString(),
                  SegmentMetadata.CRYPTER,
                  TinkStreamingCrypter.NAME,
                  SegmentMetadata.REALTIME_STATUS,
                  "DONE"));
      SegmentOutcome outcome =
          runtime
              .dataDirectory(
                  dir.resolve("reader"),
                  DataDirectoryConfig.defaults(),
                  PeerFinder.NONE,
                  null,
                  TransferListener.NONE)
              .addOrReplace(metadata)
              .block(TIMEOUT);
      assertThat(outcome.action()).isEqualTo(SegmentOutcome.Action.DOWNLOADED);
      assertThat(outcome.crc()).isEqualTo(crc());
    }
  }

  @Test
  void legacyProtocolUploadsToTheControllerThenCommitsWithItsLocation() {
    SegmentServer server =
        server("server", deepStore(), FAST.withProtocol(CommitConfig.Protocol.LEGACY), null);

    JsonNode answer = commit(server);

    String location = controller.baseUrl() + "/segments/uploaded/" + SEGMENT;
    assertThat(answer.path("body").path("status").asText()).isEqualTo("COMMIT_SUCCESS");
    assertThat(answer.path("body").path("downloadUrl").asText()).isEqualTo(location);
    assertThat(controller.paths())
        .containsExactly(
            "/segmentConsumed", "/segmentCommitStart", "/segmentUpload", "/segmentCommitEnd");
    byte[] uploaded = controller.calls.get(2).parts().get(SEGMENT);
    assertThat(uploaded[0] & 0xff).isEqualTo(0x1f);
    assertThat(controller.calls.get(3).param("location")).isEqualTo(location);
    assertThat(server.pendingUploads()).isZero();
    assertThat(controller.downloadUrlPuts).isEmpty();
  }

  @Test
  void aServerRestartedBeforeItsUploadFinishedKeepsServingTheCommittedCopy() throws IOException {
    Path blocker = Files.writeString(dir.resolve("blocker"), "not a directory");
    URI unwritable = blocker.resolve("deepstore").toUri();
    CommitConfig slowUploads =
        FAST.withRetries(
            Duration.ofMillis(50),
            FAST.controllerRetry(),
            new RetryPolicy(1000, Duration.ofSeconds(1), 1, Duration.ofSeconds(1), 0));
    SegmentServer first = server("server", unwritable, slowUploads, null);
    assertThat(commit(first).path("body").path("status").asText()).isEqualTo("COMMIT_SUCCESS");
    assertThat(first.pendingUploads()).isEqualTo(1);
    // What a controller holds after the commit: DONE, no deep-store copy, this server in the ideal
    // state.
    controller.assign(
        ID,
        Map.of(
            SegmentMetadata.CRC,
            Long.toString(crc()),
            SegmentMetadata.DOWNLOAD_URL,
            "",
            SegmentMetadata.REALTIME_STATUS,
            "DONE"));
    first.close();
    servers.remove(first);
    controller.states.clear();

    SegmentServer second = server("server", unwritable, slowUploads, null);
    second.bootstrapped().block(TIMEOUT);

    await()
        .atMost(TIMEOUT)
        .until(() -> "ONLINE".equals(controller.states.get(TABLE + "/" + SEGMENT)));
    assertThat(peerStatus(second)).isEqualTo(200);
    assertThat(second.directory().localCrcs(ID.table()).block(TIMEOUT))
        .containsEntry(SEGMENT, crc());
    assertThat(second.metrics().scrape())
        .contains("segment_operations_seconds_count{operation=\"add\",outcome=\"kept\"");
  }

  @Test
  void theCommitMetadataReadsTheRealtimeEndOffsetOrZero() throws IOException {
    Path noOffset =
        TestRealtimeSegment.write(
            Files.createDirectories(dir.resolve("other")), SEGMENT, null, 1000, 2);
    SegmentServer server = server(deepStore());

    commit(server, "{\"segmentDir\":\"" + noOffset + "\"}");

    assertThat(controller.calls.get(0).param("streamPartitionMsgOffset")).isEqualTo("0");
    assertThat(
            new String(
                controller.calls.get(2).parts().get("metadata.properties"), StandardCharsets.UTF_8))
        .doesNotContain("endOffset");
  }
}
