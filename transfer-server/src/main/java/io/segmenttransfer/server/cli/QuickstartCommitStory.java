package io.segmenttransfer.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.segmenttransfer.controller.api.ExternalView;
import io.segmenttransfer.controller.api.TableConfig;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.local.LocalSegment;
import io.segmenttransfer.core.segment.RealtimeStatus;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.server.daemon.SegmentServer;
import io.segmenttransfer.server.daemon.SourceKind;
import io.segmenttransfer.server.quickstart.BuiltSegment;
import io.segmenttransfer.server.quickstart.QuickstartDeepStore;
import io.segmenttransfer.server.quickstart.QuickstartSecurity;
import io.segmenttransfer.server.quickstart.SampleSegments;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.netty.ByteBufMono;
import reactor.netty.http.client.HttpClient;

/**
 * The quickstart's commit story, after the offline one: a REALTIME table; server A commits a
 * segment it built while the deep store is down (the commit succeeds with no download URL, A's
 * background upload fails and is given up); B, assigned the segment, gets it from A as a peer; the
 * deep store comes back and the controller's repair task has a replica upload it; a fresh data
 * directory bootstraps it from the deep store. Every claim printed is checked first: a step that
 * did not do what it says throws {@link StepFailed}, naming the step.
 */
final class QuickstartCommitStory {

  /** A step of the story that did not go as its line would say. */
  static final class StepFailed extends Exception {
    StepFailed(int step, String what, String why, Throwable cause) {
      super("step " + step + " (" + what + ") failed: " + why, cause);
    }
  }

  /**
   * Bootstraps a fresh data dir with every segment of a table and prints its summary, as steps 4
   * and 6 do.
   */
  interface Bootstrap {
    BootstrapSummary run(Path dataDir, TableNameWithType table) throws InterruptedException;
  }

  static final TableNameWithType REALTIME =
      new TableNameWithType(
          QuickstartCommand.TABLE.rawName(), TableNameWithType.TableType.REALTIME);

  /** Pinot's LLC creation time in a segment name. */
  private static final DateTimeFormatter LLC_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm'Z'").withZone(ZoneOffset.UTC);

  private static final String REPAIR_TASK = "RealtimeSegmentValidationManager";

  /**
   * The built segment's data starts this many hours after the first offline sample's, well after
   * the last.
   */
  private static final int BUILT_SEQUENCE = 1_000;

  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final Duration POLL = Duration.ofMillis(50);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path work;
  private final Scheduler io;
  private final PrintWriter out;
  private final ControllerClient client;
  private final String controllerUrl;
  private final SegmentServer a;
  private final SegmentServer b;
  private final QuickstartDeepStore deepStore;
  private final String deepStoreKind;
  private final Bootstrap bootstrap;
  private final int replication;
  private final Duration holdWindow;

  /** The quickstart's own requests (the commit, the repair run): the admin principal. */
  private final HttpClient http;

  /** The tables' peer download scheme: {@code https} on a secured cluster. */
  private final String peerScheme;

  private int step;
  private String stepWhat = "";

  /** The watch for B's copy, stopped however the story ends. */
  private Disposable watch = Disposables.disposed();

  QuickstartCommitStory(
      Path work,
      Scheduler io,
      PrintWriter out,
      ControllerClient client,
      SegmentServer a,
      SegmentServer b,
      QuickstartDeepStore deepStore,
      String deepStoreKind,
      int replication,
      Duration holdWindow,
      QuickstartSecurity security,
      Bootstrap bootstrap) {
    this.work = work;
    this.io = io;
    this.out = out;
    this.client = client;
    this.controllerUrl = client.baseUrl();
    this.a = a;
    this.b = b;
    this.deepStore = deepStore;
    this.deepStoreKind = deepStoreKind;
    this.replication = replication;
    this.holdWindow = holdWindow;
    this.bootstrap = bootstrap;
    this.http = security.admin().configure(HttpClient.create());
    this.peerScheme = security.scheme();
  }

  /** Runs steps {@code first} and on; returns the last step's number. */
  int run(int first, long segmentBytes) throws StepFailed {
    step = first - 1;
    try {
      return story(segmentBytes);
    } catch (StepFailed e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StepFailed(step, stepWhat, "interrupted", e);
    } catch (Exception e) {
      throw new StepFailed(step, stepWhat, BootstrapSummary.oneLine(e), e);
    } finally {
      watch.dispose();
    }
  }

  private int story(long segmentBytes) throws Exception {
    // A REALTIME table, and a segment server A built from partition 0: n rows from offset 0, so it
    // ends at offset n.
    long t = begin("A builds a consuming segment");
    client
        .createTable(new TableConfig(REALTIME, replication, peerScheme, null, null))
        .block(TIMEOUT);
    SegmentId id =
        new SegmentId(REALTIME, REALTIME.rawName() + "__0__0__" + LLC_TIME.format(Instant.now()));
    BuiltSegment built =
        SampleSegments.writeBuilt(
                Files.createDirectories(work.resolve("consuming")),
                id,
                BUILT_SEQUENCE,
                segmentBytes,
                io)
            .block(TIMEOUT);
    long crc = SampleSegments.crcOf(built.directory());
    check(
        crc == built.crc(),
        "the built segment's files add up to CRC "
            + crc
            + ", its creation.meta says "
            + built.crc());
    String offset = Long.toString(built.rows());
    say(
        String.format(
            "[%d] created table %s (replication %d, peer download over %s); server A built segment%n"
                + "    %s from partition 0 (%,d rows from offset 0): %,d bytes, CRC %d, in %s (%,d ms)",
            step,
            REALTIME,
            replication,
            peerScheme,
            id.segmentName(),
            built.rows(),
            built.bytes(),
            crc,
            work.relativize(built.directory().getParent()) + "/",
            millisSince(t)));

    // The deep store goes down.
    t = begin("the deep store goes down");
    String down = deepStore.down();
    say(String.format("[%d] deep store down: %s (%,d ms)", step, down, millisSince(t)));

    // A commits: the controller decides on metadata alone, the upload fails in the background.
    t = begin("A commits while the deep store is down");
    Map<String, Double> bBytesBefore = bySource(b.metrics(), "segment_transfer_bytes");
    Map<String, Double> bAttemptsBefore = bySource(b.metrics(), "segment_transfer_attempts");
    JsonNode answer = commit(a, id, built.directory(), offset);
    long commitMillis = millisSince(t);
    long committedAt = System.nanoTime();
    // B loads it meanwhile: note when the external view first shows it ONLINE on both.
    Mono<Long> bOnline =
        onlineOn(id, Set.of(a.instanceId(), b.instanceId())).map(view -> System.nanoTime()).cache();
    watch = bOnline.subscribe(at -> {}, error -> {});
    check("COMMIT_SUCCESS".equals(answer.path("status").asText()), "A's commit answered " + answer);
    check(
        answer.path("downloadUrl").isTextual() && answer.path("downloadUrl").asText().isEmpty(),
        "the commit answered download URL " + answer.path("downloadUrl") + ", not \"\"");
    check(
        Long.toString(crc).equals(answer.path("crc").asText()),
        "A committed CRC " + answer.path("crc") + ", not " + crc);
    // The upload was queued before the answer; wait until it is given up, and make sure it did
    // fail.
    await(
        () -> gauge(a.metrics(), "segment_commit_uploads_pending") == 0,
        "A's background upload to end");
    double failedUploads = count(a.metrics(), "segment_commit_uploads_failed");
    check(
        failedUploads == 1 && count(a.metrics(), "segment_commit_uploads_succeeded") == 0,
        "A's background upload did not fail once (failed " + failedUploads + ")");
    SegmentMetadata record = client.metadata(id).block(TIMEOUT);
    check(
        record.realtimeStatus() == RealtimeStatus.DONE,
        "the controller's record is " + record.realtimeStatus() + ", not DONE");
    check(
        record.downloadUrl().orElse("").isEmpty(),
        "the controller recorded download URL " + record.downloadUrl().orElse(""));
    check(record.crc() == crc, "the controller recorded CRC " + record.crc() + ", not " + crc);
    check(
        record.field(SegmentMetadata.REALTIME_END_OFFSET).orElse("").equals(offset),
        "the controller recorded end offset "
            + record.field(SegmentMetadata.REALTIME_END_OFFSET).orElse("none"));
    long aCrc = localCrc(a, id);
    check(aCrc == crc, "A's copy has CRC " + aCrc);
    say(
        String.format(
            "[%d] A commits it at offset %s (B consumed nothing: the controller elects A after its %,d ms hold)%n"
                + "    %s in %,d ms, download URL \"\" (peers only); A's background upload to the deep store%n"
                + "    failed and was given up; the controller's record: %s, CRC %d, download URL \"\"",
            step,
            offset,
            holdWindow.toMillis(),
            answer.path("status").asText(),
            commitMillis,
            record.realtimeStatus(),
            crc));

    // B, assigned the segment at the commit, can only get it from A.
    t = begin("B gets it from A as a peer");
    ExternalView assigned = client.idealState(REALTIME.toString()).block(TIMEOUT);
    check(
        assigned.states(id).keySet().equals(Set.of(a.instanceId(), b.instanceId())),
        "the ideal state assigns it to " + assigned.states(id).keySet() + ", not A and B");
    Long bOnlineAt = bOnline.block(TIMEOUT);
    check(bOnlineAt != null, "not ONLINE on A and B within " + TIMEOUT);
    long bMillis = (bOnlineAt - committedAt) / 1_000_000;
    Map<String, Double> bBytes =
        minus(bySource(b.metrics(), "segment_transfer_bytes"), bBytesBefore);
    Map<String, Double> bAttempts =
        minus(bySource(b.metrics(), "segment_transfer_attempts"), bAttemptsBefore);
    check(
        bBytes.keySet().equals(Set.of(SourceKind.PEER)),
        "B's bytes came from " + bBytes.keySet() + ", not a peer only");
    check(
        bAttempts.keySet().stream()
            .noneMatch(kind -> kind.equals(SourceKind.CONTROLLER) || kind.startsWith("deepstore")),
        "B tried the deep store: attempts " + bAttempts);
    long bCrc = localCrc(b, id);
    check(bCrc == crc, "B's copy has CRC " + bCrc);
    say(
        String.format(
            "[%d] B, assigned it at the commit, got it from A, the only replica holding it, as a peer:%n"
                + "    %,.0f archive bytes, all from source 'peer'; ONLINE on A and B %,d ms after the commit",
            step, bBytes.get(SourceKind.PEER), bMillis));

    // The deep store comes back; the repair task has a replica upload its copy.
    t = begin("the repair task uploads it");
    String up = deepStore.up();
    check(
        client.metadata(id).block(TIMEOUT).downloadUrl().orElse("").isEmpty(),
        "the download URL was set before the repair task ran");
    JsonNode repair = runRepair();
    JsonNode report = repair.path("report");
    JsonNode repaired = report.path("repaired");
    check(
        "DONE".equals(repair.path("status").asText())
            && repaired.size() == 1
            && (REALTIME + "/" + id.segmentName()).equals(repaired.get(0).path("segment").asText()),
        "the repair run answered " + repair);
    check(
        repaired.get(0).path("crcFixedFrom").isNull()
            || repaired.get(0).path("crcFixedFrom").isMissingNode(),
        "the repair fixed the CRC from " + repaired.get(0).path("crcFixedFrom"));
    String replica = repaired.get(0).path("replica").asText();
    String replicaName =
        replica.equals(a.instanceId()) ? "A" : replica.equals(b.instanceId()) ? "B" : replica;
    record = client.metadata(id).block(TIMEOUT);
    String url = record.downloadUrl().orElse("");
    check(
        !url.isEmpty() && url.equals(repaired.get(0).path("downloadUrl").asText()),
        "the controller's download URL is '"
            + url
            + "' after the repair reported "
            + repaired.get(0).path("downloadUrl"));
    check(record.crc() == crc, "the controller's CRC changed to " + record.crc());
    boolean archived = deepStore.exists(id).block(TIMEOUT);
    check(archived, "no archive at " + deepStore.archiveOf(id) + " after the repair");
    say(
        String.format(
            "[%d] deep store back: %s%n"
                + "    the repair task (GET /periodictask/run?taskname=%s) found %d segment%n"
                + "    missing from the deep store and had %s upload its copy in %,d ms:%n    %s%n"
                + "    download URL now %s",
            step,
            up,
            REPAIR_TASK,
            report.path("missing").asInt(),
            replicaName,
            millisSince(t),
            deepStore.archiveOf(id),
            url));

    // A fresh data dir bootstraps the committed segment from the deep store.
    begin("a fresh server bootstraps it from the deep store");
    say(
        String.format(
            "[%d] server E bootstraps a fresh data dir with %s, from the deep store:",
            step, REALTIME));
    Path eDir = work.resolve("server-e");
    BootstrapSummary e = bootstrap.run(eDir, REALTIME);
    check(
        e.succeeded() && e.segments() == 1 && e.downloaded() == 1,
        "E's bootstrap: "
            + e.text().lines().findFirst().orElse("")
            + (e.failures().isEmpty() ? "" : "; " + e.failures().get(0)));
    check(
        e.sources().equals(Map.of(deepStoreKind, 1)),
        "E's sources were " + e.sources() + ", not " + deepStoreKind);
    long eCrc = SampleSegments.crcOf(eDir.resolve(REALTIME.toString()).resolve(id.segmentName()));
    check(eCrc == crc, "E's copy has CRC " + eCrc);

    say(
        String.format(
            "the commit story held: CRC %d everywhere (built, committed, A, B, E); B's copy came from peer A,%n"
                + "E's from the deep store after the repair (source '%s').",
            crc, deepStoreKind));
    return step;
  }

  private long begin(String what) {
    step++;
    stepWhat = what;
    return System.nanoTime();
  }

  private void check(boolean condition, String why) throws StepFailed {
    if (!condition) {
      throw new StepFailed(step, stepWhat, why, null);
    }
  }

  /**
   * {@code POST <server>/segments/{t}/{s}/commit} with {@code {"segmentDir", "offset"}}: the
   * answer, whatever its status.
   */
  private JsonNode commit(SegmentServer server, SegmentId id, Path segmentDir, String offset)
      throws IOException {
    String body =
        JSON.writeValueAsString(
            Map.of("segmentDir", segmentDir.toAbsolutePath().toString(), "offset", offset));
    String url =
        server.baseUrl()
            + "/segments/"
            + encode(id.table().toString())
            + "/"
            + encode(id.segmentName())
            + "/commit";
    return JSON.readTree(
        http.headers(h -> h.set(HttpHeaderNames.CONTENT_TYPE, "application/json"))
            .post()
            .uri(url)
            .send(ByteBufMono.fromString(Mono.just(body)))
            .responseSingle(
                (response, content) ->
                    content
                        .asString()
                        .defaultIfEmpty("")
                        .map(
                            text ->
                                text.isEmpty()
                                    ? "{\"status\": \"HTTP " + response.status().code() + "\"}"
                                    : text))
            .block(TIMEOUT));
  }

  /**
   * {@code GET
   * /periodictask/run?taskname=RealtimeSegmentValidationManager&tableName=<raw>&type=REALTIME}.
   */
  private JsonNode runRepair() throws IOException {
    String url =
        controllerUrl
            + "/periodictask/run?taskname="
            + REPAIR_TASK
            + "&tableName="
            + encode(REALTIME.rawName())
            + "&type=REALTIME";
    return JSON.readTree(
        http.get()
            .uri(url)
            .responseSingle(
                (response, content) ->
                    content
                        .asString()
                        .defaultIfEmpty("")
                        .map(
                            text ->
                                response.status().code() == 200
                                    ? text
                                    : "{\"status\": \"HTTP "
                                        + response.status().code()
                                        + "\", \"error\": "
                                        + quote(text)
                                        + "}"))
            .block(TIMEOUT));
  }

  /**
   * Completes once the external view shows the segment ONLINE on exactly {@code instances}; empty
   * after {@link #TIMEOUT}.
   */
  private Mono<ExternalView> onlineOn(SegmentId id, Set<String> instances) {
    return Mono.defer(() -> client.externalView(REALTIME.toString()))
        .onErrorResume(SourceNotFoundException.class, e -> Mono.empty())
        .filter(v -> Set.copyOf(v.onlineInstances(id)).equals(instances))
        .repeatWhenEmpty(repeats -> repeats.delayElements(POLL))
        .timeout(TIMEOUT, Mono.empty());
  }

  private void await(BooleanSupplier condition, String what)
      throws StepFailed, InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new StepFailed(step, stepWhat, "waited " + TIMEOUT + " for " + what, null);
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  /** The CRC of a server's copy, computed from its files. */
  private long localCrc(SegmentServer server, SegmentId id) throws IOException, StepFailed {
    LocalSegment local = server.directory().localSegment(id).orElse(null);
    check(local != null, server.instanceId() + " holds no copy of " + id.segmentName());
    long crc = SampleSegments.crcOf(local.directory());
    check(
        crc == local.crc(),
        server.instanceId() + "'s copy adds up to CRC " + crc + " but says " + local.crc());
    return crc;
  }

  private static Map<String, Double> bySource(MeterRegistry registry, String name) {
    Map<String, Double> values = new TreeMap<>();
    registry
        .find(name)
        .counters()
        .forEach(c -> values.merge(c.getId().getTag("source"), c.count(), Double::sum));
    return values;
  }

  /** What grew from {@code before} to {@code after}, by key. */
  private static Map<String, Double> minus(Map<String, Double> after, Map<String, Double> before) {
    Map<String, Double> grown = new TreeMap<>();
    after.forEach(
        (key, value) -> {
          double delta = value - before.getOrDefault(key, 0.0);
          if (delta > 0) {
            grown.put(key, delta);
          }
        });
    return grown;
  }

  private static double gauge(MeterRegistry registry, String name) {
    Gauge gauge = registry.find(name).gauge();
    return gauge == null ? Double.NaN : gauge.value();
  }

  private static double count(MeterRegistry registry, String name) {
    Counter counter = registry.find(name).counter();
    return counter == null ? 0 : counter.count();
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String quote(String text) {
    try {
      return JSON.writeValueAsString(text);
    } catch (IOException e) {
      return "\"\"";
    }
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  private void say(String text) {
    out.println(text);
    out.flush();
  }
}
