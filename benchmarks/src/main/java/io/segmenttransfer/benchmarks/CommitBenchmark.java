package io.segmenttransfer.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.DownloadUrls;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.api.CompletionRequest;
import io.segmenttransfer.controller.api.CompletionResponse;
import io.segmenttransfer.controller.api.CompletionStatus;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.controller.task.DeepStoreRepairConfig;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.DeepStoreLayout;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.s3.S3Config;
import io.segmenttransfer.server.daemon.SegmentServer;
import io.segmenttransfer.server.daemon.ServerConfig;
import io.segmenttransfer.server.daemon.ServerSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Commit latency of a consuming segment that has just been built: how long a server waits for
 * COMMIT_SUCCESS, and when the deep-store copy exists, for one real-sized generated Pinot v3
 * segment directory (valid {@code creation.meta} CRC), in one JVM on loopback, against one {@link
 * EmbeddedController} serving Pinot's completion protocol, with a file or S3 (S3Proxy in-process)
 * deep store. Ways, each run on a fresh segment name:
 *
 * <ul>
 *   <li>{@code ours}: a {@link SegmentServer} daemon's commit flow, {@code POST
 *       /segments/{t}/{s}/commit} with {@code {"segmentDir", "offset"}}. It installs the directory
 *       (copy with CRC check), runs segmentConsumed / segmentCommitStart /
 *       segmentCommitEndWithMetadata with {@code peer://} and answers once the controller decided;
 *       the archive is built and uploaded in the background and its URL recorded afterwards. (b) is
 *       when the object was complete: a stat of the file every {@code --poll-ms}, or the moment the
 *       in-process S3 server completed the write ({@link WriteClock}); then {@code
 *       segment.download.url} in the controller's metadata is polled.
 *   <li>{@code pinot}: Pinot's synchronous split commit without peer download, with Pinot's
 *       libraries: segmentConsumed (COMMIT), the tar.gz built with commons-compress as {@code
 *       TarCompressionUtils.createCompressedTarFile} does ({@link PinotSegmentTar}),
 *       segmentCommitStart, the upload (a file copy, or one S3 {@code PutObject} of the file with a
 *       plain SDK client), then segmentCommitEndWithMetadata with location = the uploaded URI. (b)
 *       is the end of the upload, right before the commit end.
 *   <li>{@code protocol}: the controller-side commit path alone, driven directly: segmentConsumed,
 *       segmentCommitStart, segmentCommitEndWithMetadata with {@code peer://} (what our server
 *       sends), then, after COMMIT_SUCCESS, a plain upload (Pinot's tar.gz and upload) and {@code
 *       PUT .../downloadUrl}. It separates the protocol's cost from the server's install copy.
 * </ul>
 *
 * Every run is checked: the controller's record is DONE with the segment's CRC, its download URL
 * names the deep-store object (by the controller's rule: its own URL for a local directory), and
 * the object exists and is not empty.
 */
public final class CommitBenchmark {

  public static final List<String> WAYS = List.of("ours", "pinot", "protocol");
  public static final List<String> DEEP_STORES = List.of("file", "s3");
  static final TableNameWithType TABLE = TableNameWithType.parse("commitbench_REALTIME");
  static final String OURS_INSTANCE = "Server_commit_0";
  static final String PINOT_INSTANCE = "Server_pinot_0";
  static final String PROTOCOL_INSTANCE = "Server_protocol_0";
  private static final long MIB = 1024 * 1024;
  private static final long SEED = 42;
  private static final Duration START_TIMEOUT = Duration.ofMinutes(1);
  private static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(10);

  /**
   * @param sizeMiB the segment's size (sum of its files)
   * @param runs measured runs per way and deep store, each on a fresh segment
   * @param warmUpMiB size of the one unrecorded run per way and deep store first; 0 for none
   * @param deepStores {@link #DEEP_STORES}
   * @param ways {@link #WAYS}
   * @param pollMs sleep between two polls of the deep store and the controller (ours, protocol)
   * @param out where the JSON goes
   * @param work scratch directory (controller, server, segments, deep store)
   */
  public record Options(
      int sizeMiB,
      int runs,
      int warmUpMiB,
      List<String> deepStores,
      List<String> ways,
      long pollMs,
      Path out,
      Path work) {

    public Options {
      if (sizeMiB < 1 || runs < 1 || warmUpMiB < 0 || pollMs < 0) {
        throw new IllegalArgumentException(
            "size and runs must be positive, warm-up and poll interval not negative");
      }
      for (String store : deepStores) {
        if (!DEEP_STORES.contains(store)) {
          throw new IllegalArgumentException("no deep store " + store + "; known: " + DEEP_STORES);
        }
      }
      for (String way : ways) {
        if (!WAYS.contains(way)) {
          throw new IllegalArgumentException("no way " + way + "; known: " + WAYS);
        }
      }
    }

    public static Options defaults(Path out, Path work) {
      return new Options(128, 3, 16, DEEP_STORES, WAYS, 2, out, work);
    }

    static Options parse(String[] args) {
      Options o = defaults(BenchPaths.results(), BenchPaths.target().resolve("commit-work"));
      int size = o.sizeMiB();
      int runs = o.runs();
      int warmUp = o.warmUpMiB();
      List<String> stores = o.deepStores();
      List<String> ways = o.ways();
      long poll = o.pollMs();
      Path out = o.out();
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--size-mib" -> size = Integer.parseInt(args[++i]);
          case "--runs" -> runs = Integer.parseInt(args[++i]);
          case "--warm-up-mib" -> warmUp = Integer.parseInt(args[++i]);
          case "--deep-store" -> stores = list(args[++i]);
          case "--ways" -> ways = list(args[++i]);
          case "--poll-ms" -> poll = Long.parseLong(args[++i]);
          case "--out" -> out = Path.of(args[++i]);
          case "--name" -> i++; // the output file's base name, see name(args)
          default ->
              throw new IllegalArgumentException(
                  "usage: CommitBenchmark [--size-mib 128] [--runs 3] "
                      + "[--warm-up-mib 16] [--deep-store file,s3] [--ways ours,pinot,protocol] [--poll-ms 2] [--out dir] "
                      + "[--name commit-latest]; unknown argument "
                      + args[i]);
        }
      }
      return new Options(size, runs, warmUp, stores, ways, poll, out, o.work());
    }

    private static List<String> list(String value) {
      return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    static String name(String[] args) {
      for (int i = 0; i + 1 < args.length; i++) {
        if (args[i].equals("--name")) {
          return args[i + 1];
        }
      }
      return "commit-latest";
    }
  }

  /**
   * One commit.
   *
   * @param commitMs (a) from the start of the commit to COMMIT_SUCCESS
   * @param deepStoreMs (b) from the start of the commit until the archive exists in the deep store
   * @param urlRecordedMs from the start until the controller's record names the archive
   * @param phases the parts of the commit measured on the client side (ms)
   * @param pollPeriodMs mean time between two polls (sleep plus the checks); 0 where nothing was
   *     polled
   * @param loadAverage the one-minute load average right after the run
   */
  public record Run(
      String deepStore,
      String way,
      int run,
      String segment,
      long segmentBytes,
      long archiveBytes,
      double commitMs,
      double deepStoreMs,
      double urlRecordedMs,
      Map<String, Double> phases,
      double pollPeriodMs,
      double loadAverage) {}

  private final Options options;
  private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private final String creationTime =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm'Z'")
          .withZone(ZoneOffset.UTC)
          .format(Instant.now());
  private final List<Double> loadSamples = new ArrayList<>();

  public CommitBenchmark(Options options) {
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    CommitBenchmark benchmark = new CommitBenchmark(options);
    List<Run> runs = benchmark.run();
    benchmark.write(runs, Options.name(args));
    // The servers' non-daemon threads (S3Proxy's Jetty, reactor-netty) must not keep the JVM alive.
    System.exit(0);
  }

  /** Every deep store, every way, warm-up first. Blocking. */
  public List<Run> run() throws Exception {
    List<Run> runs = new ArrayList<>();
    loadSamples.add(MachineInfo.loadAverage());
    for (String store : options.deepStores()) {
      try (Fixture fixture =
          Fixture.start(
              store,
              options.work().resolve("commit-" + store + "-" + UUID.randomUUID()),
              options.ways().contains("ours"))) {
        System.out.printf(
            "deep store %s at %s; controller %s%s%n",
            store,
            fixture.deepStore.base(),
            fixture.controller.baseUrl(),
            fixture.server == null ? "" : "; server " + fixture.server.baseUrl());
        if (options.warmUpMiB() > 0) {
          for (String way : options.ways()) {
            report(measure(fixture, way, 0, options.warmUpMiB()), true);
          }
        }
        for (int run = 1; run <= options.runs(); run++) {
          // Alternate the order, so no way always runs right after another's background work.
          List<String> order = new ArrayList<>(options.ways());
          if (run % 2 == 0) {
            Collections.reverse(order);
          }
          for (String way : order) {
            runs.add(report(measure(fixture, way, run, options.sizeMiB()), false));
          }
        }
      }
    }
    loadSamples.add(MachineInfo.loadAverage());
    return runs;
  }

  /** The controller, the table, the deep store and (for {@code ours}) the server daemon. */
  static final class Fixture implements AutoCloseable {
    final Path root;
    final CommitDeepStore deepStore;
    final DeepStoreLayout layout;
    final EmbeddedController controller;
    final CommitHttp http;
    final SegmentServer server;

    private Fixture(
        Path root, CommitDeepStore deepStore, EmbeddedController controller, SegmentServer server) {
      this.root = root;
      this.deepStore = deepStore;
      // As the server reads its deepStore setting, so the keys polled are the keys it writes.
      this.layout = new DeepStoreLayout(SegmentStores.toUri(deepStore.base().toString()));
      this.controller = controller;
      this.http = new CommitHttp(controller.baseUrl());
      this.server = server;
    }

    static Fixture start(String store, Path root, boolean withServer) throws IOException {
      Files.createDirectories(root);
      CommitDeepStore deepStore =
          store.equals("s3")
              ? CommitDeepStore.s3(root.resolve("s3"))
              : CommitDeepStore.file(root.resolve("deepstore"));
      EmbeddedController controller = null;
      SegmentServer server = null;
      try {
        // No scheduled deep-store repair: it would upload the segments committed with peer:// on
        // its own.
        controller =
            EmbeddedController.start(
                ControllerConfig.defaults(root.resolve("controller"))
                    .withPort(0)
                    .withDeepStoreRepair(
                        DeepStoreRepairConfig.defaults().withInterval(Duration.ZERO)));
        ControllerClient.create(controller.baseUrl()).createTable(TABLE, 1).block(START_TIMEOUT);
        if (withServer) {
          ServerConfig c =
              ServerSettings.fromFile(null)
                  .override("controller", controller.baseUrl())
                  .override("dataDir", root.resolve("server"))
                  .override("adminPort", 0)
                  .override("instanceId", OURS_INSTANCE)
                  .override("longPoll", "2s")
                  .override("deepStore", deepStore.base().toString())
                  .toConfig();
          S3Config s3 = deepStore.serverS3();
          if (s3 != null) {
            c =
                new ServerConfig(
                    c.controller(),
                    c.dataDir(),
                    c.host(),
                    c.adminPort(),
                    c.instanceId(),
                    c.deepStore(),
                    c.maxParallelDownloads(),
                    c.maxParallelDownloadsPerTable(),
                    c.maxPeerUploads(),
                    c.peerBytesPerSecond(),
                    c.longPoll(),
                    c.shutdownDeadline(),
                    c.keyset(),
                    s3);
          }
          server = SegmentServer.start(c).block(START_TIMEOUT);
        }
        return new Fixture(root, deepStore, controller, server);
      } catch (RuntimeException e) {
        if (server != null) {
          server.close();
        }
        if (controller != null) {
          controller.close();
        }
        deepStore.close();
        Directories.deleteRecursively(root);
        throw e;
      }
    }

    @Override
    public void close() {
      if (server != null) {
        server.close();
      }
      controller.close();
      deepStore.close();
      Directories.deleteRecursively(root);
    }
  }

  /** One way's commit of a fresh segment: generated, measured, checked, its local files removed. */
  private Run measure(Fixture fixture, String way, int run, int sizeMiB) throws Exception {
    // One partition group per way, one sequence number per run: every commit is of a new LLC
    // segment.
    int partition = WAYS.indexOf(way);
    SegmentId segment =
        new SegmentId(
            TABLE,
            String.join(
                "__",
                TABLE.rawName(),
                Integer.toString(partition),
                Integer.toString(run),
                creationTime));
    String offset = Long.toString(1000L * (run + 1));
    Path segmentsDir = fixture.root.resolve("built");
    SegmentDirectoryWriter.Written built =
        SegmentDirectoryWriter.write(
            new SyntheticSegment(
                new SegmentSpec(TABLE, segment.segmentName(), sizeMiB * MIB, SEED)),
            segmentsDir.resolve(segment.segmentName()));
    URI target = fixture.layout.archive(segment, Codec.GZIP);
    // Start from the same state: the last run's garbage collected, nothing dirty in the page cache.
    System.gc();
    Thread.sleep(200);
    try {
      Run result =
          switch (way) {
            case "ours" -> ours(fixture, segment, built, offset, target, run);
            case "pinot" -> pinot(fixture, segment, built, offset, target, run);
            case "protocol" -> protocol(fixture, segment, built, offset, target, run);
            default -> throw new IllegalArgumentException(way);
          };
      check(fixture, result, segment, built, target);
      return result;
    } finally {
      Directories.deleteRecursively(built.dir());
    }
  }

  private Run ours(
      Fixture fixture,
      SegmentId segment,
      SegmentDirectoryWriter.Written built,
      String offset,
      URI target,
      int run)
      throws Exception {
    if (fixture.server == null) {
      throw new IllegalStateException("no server started");
    }
    long start = System.nanoTime();
    JsonNode answer =
        fixture.http.serverCommit(
            fixture.server.baseUrl(), segment, built.dir().toString(), offset);
    long committed = System.nanoTime();
    if (!CompletionStatus.COMMIT_SUCCESS.name().equals(answer.path("status").asText())) {
      throw new IllegalStateException("ours: commit of " + segment + " answered " + answer);
    }
    String uploadUrl = answer.path("uploadUrl").asText("");
    if (!uploadUrl.isEmpty() && !URI.create(uploadUrl).getPath().equals(target.getPath())) {
      throw new IllegalStateException(
          "ours: the server uploads " + segment + " to " + uploadUrl + ", polled at " + target);
    }
    Poll poll = poll(fixture, segment, target);
    return new Run(
        fixture.deepStore.name(),
        "ours",
        run,
        segment.segmentName(),
        built.bytes(),
        fixture.deepStore.size(target),
        ms(committed - start),
        ms(poll.objectAt - start),
        ms(poll.urlAt - start),
        Map.of("uploadAfterCommitMs", ms(poll.objectAt - committed)),
        poll.periodMs(),
        MachineInfo.loadAverage());
  }

  private Run pinot(
      Fixture fixture,
      SegmentId segment,
      SegmentDirectoryWriter.Written built,
      String offset,
      URI target,
      int run)
      throws Exception {
    Path tarGz =
        Files.createDirectories(fixture.root.resolve("pinot-tmp"))
            .resolve(segment.segmentName() + ".tar.gz");
    CompletionRequest request = CompletionRequest.of(segment.segmentName(), PINOT_INSTANCE, offset);
    try {
      long start = System.nanoTime();
      expect(fixture.http.segmentConsumed(request), CompletionStatus.COMMIT, segment);
      long consumed = System.nanoTime();
      long archiveBytes = PinotSegmentTar.createCompressedTarFile(built.dir(), tarGz);
      long tarred = System.nanoTime();
      expect(fixture.http.segmentCommitStart(request), CompletionStatus.COMMIT_CONTINUE, segment);
      long started = System.nanoTime();
      fixture.deepStore.pinotUpload(tarGz, target);
      long uploaded = System.nanoTime();
      expect(
          fixture.http.segmentCommitEndWithMetadata(
              request.withLocation(target.toString()).withSizes(archiveBytes, 0, 0),
              Files.readAllBytes(built.dir().resolve(SyntheticSegment.METADATA_FILE)),
              Files.readAllBytes(built.dir().resolve(SyntheticSegment.CREATION_META_FILE))),
          CompletionStatus.COMMIT_SUCCESS,
          segment);
      long committed = System.nanoTime();
      Map<String, Double> phases = new LinkedHashMap<>();
      phases.put("segmentConsumedMs", ms(consumed - start));
      phases.put("tarGzMs", ms(tarred - consumed));
      phases.put("segmentCommitStartMs", ms(started - tarred));
      phases.put("uploadMs", ms(uploaded - started));
      phases.put("segmentCommitEndMs", ms(committed - uploaded));
      return new Run(
          fixture.deepStore.name(),
          "pinot",
          run,
          segment.segmentName(),
          built.bytes(),
          archiveBytes,
          ms(committed - start),
          ms(uploaded - start),
          ms(committed - start),
          phases,
          0,
          MachineInfo.loadAverage());
    } finally {
      Files.deleteIfExists(tarGz);
    }
  }

  private Run protocol(
      Fixture fixture,
      SegmentId segment,
      SegmentDirectoryWriter.Written built,
      String offset,
      URI target,
      int run)
      throws Exception {
    Path tarGz =
        Files.createDirectories(fixture.root.resolve("protocol-tmp"))
            .resolve(segment.segmentName() + ".tar.gz");
    CompletionRequest request =
        CompletionRequest.of(segment.segmentName(), PROTOCOL_INSTANCE, offset);
    try {
      long start = System.nanoTime();
      expect(fixture.http.segmentConsumed(request), CompletionStatus.COMMIT, segment);
      expect(fixture.http.segmentCommitStart(request), CompletionStatus.COMMIT_CONTINUE, segment);
      expect(
          fixture.http.segmentCommitEndWithMetadata(
              request
                  .withLocation("peer://" + segment.segmentName())
                  .withSizes(built.bytes(), 0, 0),
              Files.readAllBytes(built.dir().resolve(SyntheticSegment.METADATA_FILE)),
              Files.readAllBytes(built.dir().resolve(SyntheticSegment.CREATION_META_FILE))),
          CompletionStatus.COMMIT_SUCCESS,
          segment);
      long committed = System.nanoTime();
      long archiveBytes = PinotSegmentTar.createCompressedTarFile(built.dir(), tarGz);
      fixture.deepStore.pinotUpload(tarGz, target);
      long uploaded = System.nanoTime();
      fixture.http.putDownloadUrl(segment, target.toString(), built.crc());
      long recorded = System.nanoTime();
      return new Run(
          fixture.deepStore.name(),
          "protocol",
          run,
          segment.segmentName(),
          built.bytes(),
          archiveBytes,
          ms(committed - start),
          ms(uploaded - start),
          ms(recorded - start),
          Map.of("uploadAfterCommitMs", ms(uploaded - committed)),
          0,
          MachineInfo.loadAverage());
    } finally {
      Files.deleteIfExists(tarGz);
    }
  }

  private static void expect(
      CompletionResponse response, CompletionStatus expected, SegmentId segment) {
    if (response.status() != expected) {
      throw new IllegalStateException(
          segment + ": expected " + expected + ", the controller answered " + response);
    }
  }

  /**
   * When the object was complete and when the controller recorded its URL (nanoTime); the object is
   * polled every pollMs (a stat or an in-process record, no request), then the URL.
   */
  private record Poll(long objectAt, long urlAt, int polls, long firstPoll, long lastPoll) {
    double periodMs() {
      return polls < 2 ? 0 : (lastPoll - firstPoll) / 1e6 / (polls - 1);
    }
  }

  private Poll poll(Fixture fixture, SegmentId segment, URI target)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + UPLOAD_TIMEOUT.toNanos();
    int polls = 0;
    long first = System.nanoTime();
    long last = first;
    // The object first, at no cost to what is measured (a stat, or the in-process S3 server's
    // record of completed writes): the server records the URL only after the upload, so asking
    // the controller before would only take CPU from the compression being timed.
    long objectAt = -1;
    while (objectAt < 0) {
      last = System.nanoTime();
      polls++;
      objectAt = fixture.deepStore.completedAt(target);
      if (objectAt < 0) {
        waitOrFail(deadline, segment, "object");
      }
    }
    long urlAt = 0;
    while (urlAt == 0) {
      if (!fixture.http.downloadUrl(segment).isEmpty()) {
        urlAt = System.nanoTime();
      } else {
        waitOrFail(deadline, segment, "URL");
      }
    }
    return new Poll(objectAt, urlAt, polls, first, last);
  }

  private void waitOrFail(long deadline, SegmentId segment, String what)
      throws IOException, InterruptedException {
    if (System.nanoTime() > deadline) {
      throw new IOException(
          segment + ": the deep-store copy's " + what + " did not appear within " + UPLOAD_TIMEOUT);
    }
    if (options.pollMs() > 0) {
      Thread.sleep(options.pollMs());
    } else {
      Thread.onSpinWait();
    }
  }

  /**
   * The record says DONE with the segment's CRC and names the object, which exists and is not
   * empty.
   */
  private static void check(
      Fixture fixture, Run run, SegmentId segment, SegmentDirectoryWriter.Written built, URI target)
      throws IOException {
    JsonNode metadata = fixture.http.metadata(segment);
    if (metadata == null) {
      throw new IllegalStateException(run.way() + ": no metadata for " + segment);
    }
    String status = metadata.path("segment.realtime.status").asText();
    String crc = metadata.path("segment.crc").asText();
    URI url = URI.create(metadata.path("segment.download.url").asText(""));
    if (!"DONE".equals(status) || !Long.toString(built.crc()).equals(crc)) {
      throw new IllegalStateException(
          run.way()
              + ": "
              + segment
              + " is "
              + status
              + " with CRC "
              + crc
              + ", expected DONE "
              + built.crc());
    }
    // The controller's one rule: a local-directory deep store is served under its own URL.
    URI expected =
        URI.create(new DownloadUrls(fixture.controller::baseUrl).forArchive(segment, target));
    if (!expected.getScheme().equals(url.getScheme())
        || !expected.getPath().equals(url.getPath())) {
      throw new IllegalStateException(
          run.way() + ": " + segment + " download URL " + url + ", expected " + expected);
    }
    long size = fixture.deepStore.size(target);
    if (size <= 0 || run.archiveBytes() != size) {
      throw new IllegalStateException(
          run.way()
              + ": deep-store object "
              + target
              + " has "
              + size
              + " bytes, expected "
              + run.archiveBytes());
    }
    if (!(run.commitMs() > 0)
        || !(run.deepStoreMs() > 0)
        || !(run.urlRecordedMs() >= run.deepStoreMs() - 50)) {
      throw new IllegalStateException(run.way() + ": times out of order: " + run);
    }
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static Run report(Run run, boolean warmUp) {
    System.out.printf(
        Locale.ROOT,
        "%-5s %-8s %s run %d  %4d MiB  COMMIT_SUCCESS %8.1f ms  deep-store copy %8.1f ms"
            + "  URL recorded %8.1f ms  archive %5.1f MiB  %s  load %.1f%n",
        run.deepStore(),
        run.way(),
        warmUp ? "warm-up" : "",
        run.run(),
        run.segmentBytes() / MIB,
        run.commitMs(),
        run.deepStoreMs(),
        run.urlRecordedMs(),
        run.archiveBytes() / (double) MIB,
        run.phases(),
        run.loadAverage());
    return run;
  }

  /** Median of the runs' values. */
  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n == 0
        ? Double.NaN
        : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** Per deep store and way: medians; per deep store: the goals. */
  public Map<String, Object> summary(List<Run> runs) {
    Map<String, Object> summary = new LinkedHashMap<>();
    for (String store : options.deepStores()) {
      Map<String, Object> byWay = new LinkedHashMap<>();
      Map<String, Double> commit = new LinkedHashMap<>();
      Map<String, Double> copy = new LinkedHashMap<>();
      for (String way : options.ways()) {
        List<Run> mine =
            runs.stream().filter(r -> r.deepStore().equals(store) && r.way().equals(way)).toList();
        if (mine.isEmpty()) {
          continue;
        }
        Map<String, Object> medians = new LinkedHashMap<>();
        medians.put("runs", mine.size());
        medians.put("commitMs", median(mine.stream().map(Run::commitMs).toList()));
        medians.put("deepStoreMs", median(mine.stream().map(Run::deepStoreMs).toList()));
        medians.put("urlRecordedMs", median(mine.stream().map(Run::urlRecordedMs).toList()));
        medians.put("commitMsAll", mine.stream().map(Run::commitMs).toList());
        medians.put("deepStoreMsAll", mine.stream().map(Run::deepStoreMs).toList());
        for (String phase : mine.get(0).phases().keySet()) {
          medians.put(phase, median(mine.stream().map(r -> r.phases().get(phase)).toList()));
        }
        byWay.put(way, medians);
        commit.put(way, (Double) medians.get("commitMs"));
        copy.put(way, (Double) medians.get("deepStoreMs"));
      }
      if (commit.containsKey("pinot")) {
        for (String way : List.of("ours", "protocol")) {
          if (commit.containsKey(way)) {
            Map<String, Object> goals = new LinkedHashMap<>();
            double speedUp = commit.get("pinot") / commit.get(way);
            goals.put("commitSpeedUp", speedUp);
            goals.put("commitSpeedUpGoal", 20.0);
            goals.put("commitGoalMet", speedUp >= 20);
            goals.put("deepStoreLaterByMs", copy.get(way) - copy.get("pinot"));
            goals.put("deepStoreGoalMet", copy.get(way) <= copy.get("pinot"));
            // The same run's two commits ran next to each other, under about the same load.
            List<Double> pairedSpeedUp = new ArrayList<>();
            List<Double> pairedLater = new ArrayList<>();
            for (Run mine : runs) {
              if (!mine.deepStore().equals(store) || !mine.way().equals(way)) {
                continue;
              }
              runs.stream()
                  .filter(
                      r ->
                          r.deepStore().equals(store)
                              && r.way().equals("pinot")
                              && r.run() == mine.run())
                  .findFirst()
                  .ifPresent(
                      pinot -> {
                        pairedSpeedUp.add(pinot.commitMs() / mine.commitMs());
                        pairedLater.add(mine.deepStoreMs() - pinot.deepStoreMs());
                      });
            }
            goals.put("pairedCommitSpeedUpMedian", median(pairedSpeedUp));
            goals.put("pairedCommitSpeedUps", pairedSpeedUp);
            goals.put("pairedDeepStoreLaterByMsMedian", median(pairedLater));
            goals.put("pairedDeepStoreLaterByMs", pairedLater);
            byWay.put(way + "VsPinot", goals);
          }
        }
      }
      summary.put(store, byWay);
    }
    return summary;
  }

  /** Writes {@code <name>.json} under the output directory and prints the medians. */
  public Path write(List<Run> runs, String name) throws IOException {
    Files.createDirectories(options.out());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("measuredAt", Instant.now().toString());
    out.put("machine", MachineInfo.current().asMap());
    out.put("loadAverageStartEnd", loadSamples);
    out.put("segmentMiB", options.sizeMiB());
    out.put("runs", options.runs());
    out.put("warmUpMiB", options.warmUpMiB());
    out.put("deepStores", options.deepStores());
    out.put("ways", options.ways());
    out.put("pollMs", options.pollMs());
    out.put("maxHeapMiB", Runtime.getRuntime().maxMemory() >> 20);
    Map<String, Object> summary = summary(runs);
    out.put("medians", summary);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Run run : runs) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("deepStore", run.deepStore());
      row.put("way", run.way());
      row.put("run", run.run());
      row.put("segment", run.segment());
      row.put("segmentBytes", run.segmentBytes());
      row.put("archiveBytes", run.archiveBytes());
      row.put("commitMs", run.commitMs());
      row.put("deepStoreMs", run.deepStoreMs());
      row.put("urlRecordedMs", run.urlRecordedMs());
      row.put("phases", run.phases());
      row.put("pollPeriodMs", run.pollPeriodMs());
      row.put("loadAverage", run.loadAverage());
      rows.add(row);
    }
    out.put("results", rows);
    Path file = options.out().resolve(name + ".json");
    json.writeValue(file.toFile(), out);
    System.out.println(json.writeValueAsString(summary));
    System.out.println("wrote " + file);
    return file;
  }
}
