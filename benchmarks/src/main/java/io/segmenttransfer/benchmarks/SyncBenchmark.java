package io.segmenttransfer.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.segmenttransfer.controller.api.SyncReport;
import io.segmenttransfer.controller.api.TableConfig;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.local.LocalSegment;
import io.segmenttransfer.core.local.SegmentDataDirectory;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.server.daemon.SegmentServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The deep-store sync against Pinot's per-replica reload, on real Pinot 1.5 segments ({@link
 * RealSegments}): after a table config change that Pinot's preprocessing must act on ({@link
 * EventsTableDocs#changed}), how long the sync takes per segment and how long the servers take to
 * pick up the rebuilt copies, against every replica running Pinot's preprocessing on its own copy,
 * as Pinot servers do on reload.
 *
 * <p>Everything runs in this JVM on loopback ({@link SyncCluster}): an embedded controller with a
 * local-directory deep store, {@code replicas} server daemons, a table of the real segments pushed
 * and ONLINE on every server. Then:
 *
 * <ol>
 *   <li>Checks, with Pinot's own loader ({@code pinot-tools check}), that a server's copy needs no
 *       preprocessing under the config it was built with and needs it under the changed one.
 *   <li>Pinot's way: for each replica, for each segment, a copy of that replica's local segment is
 *       preprocessed by {@code pinot-tools process} (the program the sync's {@code pinot} processor
 *       runs), timed, and checked to need nothing more; the copies are then removed, so the servers
 *       keep serving their old copies.
 *   <li>Ours: the changed config is {@code PUT}, then {@code POST
 *       /tasks/DeepStoreSync/run?forceReload=true&processor=pinot}; the steps per segment come from
 *       the deep store's reads and writes ({@link TimedSegmentStore}) and the record's refresh
 *       time; each server's pick-up from its data directory ({@link PickUpWatcher}).
 *   <li>Checks: every segment processed, none failed; each record names a new CRC and the run's
 *       table hash; every server holds that CRC; and every server's copy needs no further
 *       preprocessing and has the new indexes.
 * </ol>
 *
 * Pinot's way runs first, one preprocessing at a time; the sync runs second, with the segments'
 * pick-ups overlapping the next segment's rebuild as they would in production (all on this
 * machine's cores: in production the controller and each server have their own).
 */
public final class SyncBenchmark {

  static final TableNameWithType TABLE = TableNameWithType.parse(RealSegments.TABLE_WITH_TYPE);
  static final List<Long> DEFAULT_ROWS = List.of(250_000L, 300_000L, 350_000L, 400_000L);
  private static final Duration PUSH_TIMEOUT = Duration.ofMinutes(10);
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(60);
  private static final Duration RUN_POLL = Duration.ofMillis(250);

  /**
   * @param rows rows of each segment (one segment per entry; each count must give another segment
   *     name, which Pinot derives from the time range, and so from the row count)
   * @param seed the first segment's seed; the next ones take the next seeds
   * @param replicas servers, each holding every segment
   * @param parallelism segments the sync rebuilds at once (1: each segment's steps are its own)
   * @param pollMs the pick-up watcher's interval, at least 20 ms
   * @param realSegments where the real segments are built and cached
   * @param out where the JSON goes
   * @param work scratch directory (controller, servers, deep store, Pinot's copies)
   */
  public record Options(
      List<Long> rows,
      long seed,
      int replicas,
      int parallelism,
      long pollMs,
      RealSegments realSegments,
      Path out,
      Path work) {

    public Options {
      rows = List.copyOf(rows);
      if (rows.isEmpty() || rows.stream().anyMatch(r -> r < 1)) {
        throw new IllegalArgumentException("--rows needs one positive count per segment");
      }
      if (new HashSet<>(rows).size() != rows.size()) {
        throw new IllegalArgumentException(
            "--rows " + rows + " repeats a count: each segment needs its own (it names it)");
      }
      if (replicas < 1 || parallelism < 1) {
        throw new IllegalArgumentException("--replicas and --parallelism must be positive");
      }
      if (pollMs < PickUpWatcher.MIN_INTERVAL.toMillis()) {
        throw new IllegalArgumentException(
            "--poll-ms must be at least "
                + PickUpWatcher.MIN_INTERVAL.toMillis()
                + " (was "
                + pollMs
                + "): a shorter poll would take CPU from what is measured");
      }
    }

    public static Options defaults(Path out, Path work) {
      return new Options(DEFAULT_ROWS, 1, 2, 1, 25, RealSegments.defaultLocation(), out, work);
    }

    static Options parse(String[] args) {
      Options o = defaults(BenchPaths.results(), BenchPaths.target().resolve("sync-work"));
      List<Long> rows = o.rows();
      long seed = o.seed();
      int replicas = o.replicas();
      int parallelism = o.parallelism();
      long poll = o.pollMs();
      Path out = o.out();
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--rows" ->
              rows =
                  Arrays.stream(args[++i].split(","))
                      .map(String::trim)
                      .filter(s -> !s.isEmpty())
                      .map(Long::parseLong)
                      .toList();
          case "--seed" -> seed = Long.parseLong(args[++i]);
          case "--replicas" -> replicas = Integer.parseInt(args[++i]);
          case "--parallelism" -> parallelism = Integer.parseInt(args[++i]);
          case "--poll-ms" -> poll = Long.parseLong(args[++i]);
          case "--out" -> out = Path.of(args[++i]);
          case "--name" -> i++; // the output file's base name, see name(args)
          default ->
              throw new IllegalArgumentException(
                  "usage: SyncBenchmark [--rows 250000,300000,350000,400000] [--seed 1] "
                      + "[--replicas 2] [--parallelism 1] [--poll-ms 25] [--out dir] "
                      + "[--name sync-latest]; unknown argument "
                      + args[i]);
        }
      }
      return new Options(rows, seed, replicas, parallelism, poll, o.realSegments(), out, o.work());
    }

    static String name(String[] args) {
      for (int i = 0; i + 1 < args.length; i++) {
        if (args[i].equals("--name")) {
          return args[i + 1];
        }
      }
      return "sync-latest";
    }
  }

  /** What {@link #run} produced: the figures, the run's own report, the conditions. */
  public record Outcome(
      SyncResults results,
      SyncReport report,
      List<String> servers,
      String tableHash,
      double loadAverageStart,
      double loadAverageEnd) {}

  private final Options options;
  private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public SyncBenchmark(Options options) {
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    SyncBenchmark benchmark = new SyncBenchmark(options);
    Outcome outcome = benchmark.run();
    benchmark.write(outcome, Options.name(args));
    // The servers' non-daemon threads (reactor-netty) must not keep the JVM alive.
    System.exit(0);
  }

  /** Builds (or reuses) the segments, then measures both ways and checks the result. Blocking. */
  public Outcome run() throws Exception {
    double loadStart = MachineInfo.loadAverage();
    System.out.printf(
        "machine: %s; load average %.2f (shared with other builds)%n",
        MachineInfo.current(), loadStart);
    List<RealSegments.RealArchive> archives = buildSegments();
    Path jar = JavaChild.pinotToolsJar();
    // The controller's pinot processor runs the same pinot-tools.jar as Pinot's way below.
    System.setProperty("segmenttransfer.pinotTools", jar.toString());
    PinotPreprocessing pinot = new PinotPreprocessing(jar);
    EventsTableDocs docs = EventsTableDocs.load(options.replicas());
    Path root = options.work().resolve("sync-" + UUID.randomUUID());
    try (SyncCluster cluster = SyncCluster.start(root, options.replicas())) {
      EventsTableDocs.DocFiles files = docs.write(root.resolve("docs"));
      cluster.createTable(docs);
      for (RealSegments.RealArchive archive : archives) {
        cluster.push(TABLE, archive.file(), PUSH_TIMEOUT);
      }
      for (RealSegments.RealArchive archive : archives) {
        cluster.awaitOnline(id(archive), PUSH_TIMEOUT);
      }
      System.out.printf(
          "%d segments ONLINE on %d servers; change: %s%n",
          archives.size(), options.replicas(), EventsTableDocs.changeDescription());
      checkTheChangeNeedsWork(cluster, pinot, files, archives.get(0));
      Map<SegmentId, Map<String, PinotPreprocessing.Timing>> pinotWay =
          pinotWay(cluster, pinot, files, archives);
      Ours ours = ours(cluster, docs, archives);
      checkConverged(cluster, pinot, files, archives, ours);
      SyncResults results = results(archives, pinotWay, ours);
      List<String> servers = cluster.servers.stream().map(SegmentServer::instanceId).toList();
      return new Outcome(
          results, ours.report(), servers, ours.hash(), loadStart, MachineInfo.loadAverage());
    }
  }

  private List<RealSegments.RealArchive> buildSegments() {
    List<RealSegments.RealArchive> archives = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < options.rows().size(); i++) {
      long rows = options.rows().get(i);
      long started = System.nanoTime();
      RealSegments.RealArchive archive =
          options.realSegments().archive(rows, options.seed() + i, Codec.GZIP);
      System.out.printf(
          "segment %s: %d rows, %.1f MiB, tar.gz %.1f MiB (%.1f s, built once and cached)%n",
          archive.segmentName(),
          rows,
          archive.segmentBytes() / 1048576.0,
          archive.archiveBytes() / 1048576.0,
          (System.nanoTime() - started) / 1e9);
      if (!names.add(archive.segmentName())) {
        throw new IllegalArgumentException(
            "--rows "
                + options.rows()
                + ": two counts give the segment name "
                + archive.segmentName()
                + "; pick counts further apart");
      }
      archives.add(archive);
    }
    return archives;
  }

  private static SegmentId id(RealSegments.RealArchive archive) {
    return new SegmentId(TABLE, archive.segmentName());
  }

  private static Path localCopy(SegmentServer server, SegmentId segment) {
    return server
        .directory()
        .localSegment(segment)
        .map(LocalSegment::directory)
        .orElseThrow(() -> new IllegalStateException(server.instanceId() + " lacks " + segment));
  }

  /**
   * The built config leaves Pinot nothing to do, the changed one does not: otherwise Pinot's way
   * would measure other work than the change (or none).
   */
  private static void checkTheChangeNeedsWork(
      SyncCluster cluster,
      PinotPreprocessing pinot,
      EventsTableDocs.DocFiles files,
      RealSegments.RealArchive archive)
      throws IOException {
    Path copy = localCopy(cluster.servers.get(0), id(archive));
    if (pinot.check(copy, files.builtWith(), files.schema()).needsProcessing()) {
      throw new IllegalStateException(
          "Pinot would preprocess "
              + archive.segmentName()
              + " under the config it was built with: EventsTableDocs no longer matches"
              + " pinot-tools' EventsTable");
    }
    if (!pinot.check(copy, files.changed(), files.schema()).needsProcessing()) {
      throw new IllegalStateException(
          "the changed config leaves Pinot nothing to do on " + archive.segmentName());
    }
  }

  /**
   * Each replica preprocesses its own copy of each segment, one at a time (on a copy beside it, so
   * the server keeps serving its own).
   */
  private Map<SegmentId, Map<String, PinotPreprocessing.Timing>> pinotWay(
      SyncCluster cluster,
      PinotPreprocessing pinot,
      EventsTableDocs.DocFiles files,
      List<RealSegments.RealArchive> archives)
      throws IOException {
    Map<SegmentId, Map<String, PinotPreprocessing.Timing>> timings = new LinkedHashMap<>();
    Path scratch = cluster.root.resolve("pinot-reload");
    for (SegmentServer server : cluster.servers) {
      for (RealSegments.RealArchive archive : archives) {
        SegmentId segment = id(archive);
        Path copy = scratch.resolve(server.instanceId()).resolve(segment.segmentName());
        Directories.copyRecursively(localCopy(server, segment), copy);
        try {
          PinotPreprocessing.Timing timing = pinot.process(copy, files.changed(), files.schema());
          checkProcessed(pinot, files, copy, "Pinot's way on " + server.instanceId());
          timings
              .computeIfAbsent(segment, s -> new LinkedHashMap<>())
              .put(server.instanceId(), timing);
          System.out.printf(
              "Pinot's way: %s preprocessed its %s in %d ms (%d ms with its JVM)%n",
              server.instanceId(), segment.segmentName(), timing.programMs(), timing.wallMs());
        } finally {
          Directories.deleteRecursively(copy);
        }
      }
    }
    return timings;
  }

  /** Pinot's loader sees the two new indexes and nothing left to preprocess. */
  private static void checkProcessed(
      PinotPreprocessing pinot, EventsTableDocs.DocFiles files, Path segmentDir, String what)
      throws IOException {
    PinotPreprocessing.Check check = pinot.check(segmentDir, files.changed(), files.schema());
    if (check.needsProcessing()
        || !check.hasIndex(EventsTableDocs.INVERTED, "inverted_index")
        || !check.hasIndex(EventsTableDocs.RANGE, "range_index")) {
      throw new IllegalStateException(
          what + ": " + segmentDir + " is not fully processed: " + check.report());
    }
  }

  /** The sync's run, timed from outside, and what it left. */
  private record Ours(
      SyncReport report,
      String hash,
      long runStartMs,
      Map<SegmentId, SegmentMetadata> before,
      Map<SegmentId, SegmentMetadata> after,
      Map<String, Map<SegmentId, PickUpWatcher.Seen>> seen,
      List<TimedSegmentStore.Window> windows) {}

  private Ours ours(
      SyncCluster cluster, EventsTableDocs docs, List<RealSegments.RealArchive> archives)
      throws Exception {
    Map<SegmentId, SegmentMetadata> before = new LinkedHashMap<>();
    Map<SegmentId, Long> oldCrcs = new LinkedHashMap<>();
    for (RealSegments.RealArchive archive : archives) {
      SegmentMetadata metadata =
          cluster.client.metadata(id(archive)).block(SyncCluster.START_TIMEOUT);
      before.put(id(archive), metadata);
      oldCrcs.put(id(archive), metadata.crc());
    }
    cluster.client.updateTable(TableConfig.parse(docs.changed())).block(SyncCluster.START_TIMEOUT);
    String hash = cluster.client.tableConfigState(TABLE).block(SyncCluster.START_TIMEOUT).hash();
    Map<String, SegmentDataDirectory> directories = new LinkedHashMap<>();
    cluster.servers.forEach(s -> directories.put(s.instanceId(), s.directory()));
    try (PickUpWatcher watcher =
        new PickUpWatcher(directories, oldCrcs, Duration.ofMillis(options.pollMs()))) {
      long runStart = System.currentTimeMillis();
      SyncReport report =
          cluster
              .client
              .startSync(
                  TABLE,
                  Map.of(
                      "forceReload",
                      "true",
                      "processor",
                      "pinot",
                      "parallelism",
                      Integer.toString(options.parallelism())))
              .block(SyncCluster.START_TIMEOUT);
      long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
      while (report.isRunning()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("sync run " + report.runId() + " still running");
        }
        Thread.sleep(RUN_POLL.toMillis());
        report = cluster.client.syncRun(report.runId()).block(SyncCluster.START_TIMEOUT);
      }
      System.out.printf(
          "sync run %s: %s, %d processed, %d failed, %d skipped in %d ms%n",
          report.runId(),
          report.status(),
          report.processed().size(),
          report.failed().size(),
          report.skipped().size(),
          report.durationMs());
      if (!SyncReport.FINISHED.equals(report.status())
          || !report.failed().isEmpty()
          || report.processed().size() != archives.size()) {
        throw new IllegalStateException("the sync did not rebuild every segment: " + report);
      }
      Map<String, Map<SegmentId, PickUpWatcher.Seen>> seen = watcher.awaitAll(PUSH_TIMEOUT);
      Map<SegmentId, SegmentMetadata> after = new LinkedHashMap<>();
      for (SegmentId segment : before.keySet()) {
        after.put(segment, cluster.client.metadata(segment).block(SyncCluster.START_TIMEOUT));
      }
      return new Ours(report, hash, runStart, before, after, seen, cluster.store.windows());
    }
  }

  /**
   * Every record names a new CRC built under the run's hash; every server holds that CRC, and its
   * copy has the new indexes and nothing left for Pinot to preprocess.
   */
  private static void checkConverged(
      SyncCluster cluster,
      PinotPreprocessing pinot,
      EventsTableDocs.DocFiles files,
      List<RealSegments.RealArchive> archives,
      Ours ours)
      throws IOException {
    for (RealSegments.RealArchive archive : archives) {
      SegmentId segment = id(archive);
      SegmentMetadata after = ours.after().get(segment);
      if (after.crc() == ours.before().get(segment).crc()
          || !ours.hash().equals(after.fields().get(SegmentMetadata.TABLE_CONFIG_HASH))) {
        throw new IllegalStateException(segment + " was not rebuilt: " + after.fields());
      }
      for (SegmentServer server : cluster.servers) {
        PickUpWatcher.Seen seen = ours.seen().get(server.instanceId()).get(segment);
        long local = server.directory().localSegment(segment).orElseThrow().crc();
        if (seen.crc() != after.crc() || local != after.crc()) {
          throw new IllegalStateException(
              server.instanceId()
                  + " holds "
                  + segment
                  + " with CRC "
                  + local
                  + " (first new one seen: "
                  + seen.crc()
                  + "), the record says "
                  + after.crc());
        }
        checkProcessed(
            pinot, files, localCopy(server, segment), "the sync's copy on " + server.instanceId());
      }
    }
  }

  /** The per-segment figures from the run's store windows, records and the watcher. */
  private static SyncResults results(
      List<RealSegments.RealArchive> archives,
      Map<SegmentId, Map<String, PinotPreprocessing.Timing>> pinotWay,
      Ours ours) {
    List<SyncResults.Segment> segments = new ArrayList<>();
    long lastPickUp = 0;
    for (RealSegments.RealArchive archive : archives) {
      SegmentId segment = id(archive);
      SegmentMetadata after = ours.after().get(segment);
      long switchedAt = Long.parseLong(after.fields().get(SegmentMetadata.REFRESH_TIME));
      TimedSegmentStore.Window read = window(ours, segment, false);
      TimedSegmentStore.Window write = window(ours, segment, true);
      SyncResults.Steps steps =
          new SyncResults.Steps(
              read.endMs() - read.startMs(),
              write.startMs() - read.endMs(),
              write.endMs() - write.startMs(),
              switchedAt - write.endMs(),
              switchedAt - read.startMs());
      if (!steps.inOrder()) {
        throw new IllegalStateException(segment + ": steps out of order: " + steps);
      }
      Map<String, Long> pickUp = new LinkedHashMap<>();
      for (Map.Entry<String, Map<SegmentId, PickUpWatcher.Seen>> server : ours.seen().entrySet()) {
        long at = server.getValue().get(segment).atMs();
        pickUp.put(server.getKey(), at - switchedAt);
        lastPickUp = Math.max(lastPickUp, at);
      }
      segments.add(
          new SyncResults.Segment(
              segment.segmentName(),
              archive.rows(),
              archive.segmentBytes(),
              ours.before().get(segment).sizeInBytes().orElse(archive.archiveBytes()),
              after.sizeInBytes().orElse(write.bytes()),
              ours.before().get(segment).crc(),
              after.crc(),
              steps,
              pickUp,
              pinotWay.get(segment)));
    }
    return new SyncResults(segments, ours.report().durationMs(), lastPickUp - ours.runStartMs());
  }

  /**
   * The run's first completed read of the segment's old archive, or its completed write of the new
   * one. Servers read the new archive through the controller too, but only after the switch, and
   * under the new name.
   */
  private static TimedSegmentStore.Window window(Ours ours, SegmentId segment, boolean write) {
    String name = segment.segmentName();
    return ours.windows().stream()
        .filter(w -> w.write() == write && w.completed() && w.startMs() >= ours.runStartMs())
        .filter(w -> w.uri().getPath().contains(name))
        .filter(w -> write || !w.uri().getPath().contains(".."))
        .min(Comparator.comparingLong(TimedSegmentStore.Window::startMs))
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "no " + (write ? "write" : "read") + " of " + name + " during the run"));
  }

  /** Prints the table and writes {@code <name>.json} under the output directory. */
  public Path write(Outcome outcome, String name) throws IOException {
    System.out.print(outcome.results().table(outcome.servers()));
    Files.createDirectories(options.out());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("measuredAt", Instant.now().toString());
    out.put("machine", MachineInfo.current().asMap());
    out.put("nproc", Runtime.getRuntime().availableProcessors());
    out.put("loadAverageStartEnd", List.of(outcome.loadAverageStart(), outcome.loadAverageEnd()));
    out.put("sharedMachine", "other builds and tests ran on the same cores during the run");
    out.put("change", EventsTableDocs.changeDescription());
    out.put("replicas", options.replicas());
    out.put("parallelism", options.parallelism());
    out.put("pollMs", options.pollMs());
    out.put("deepStore", "file");
    out.put("tableHash", outcome.tableHash());
    out.put("totals", outcome.results().totals());
    out.put("segments", outcome.results().segments());
    JsonNode report = outcome.report().toJson();
    out.put("syncReport", report);
    Path file = options.out().resolve(name + ".json");
    json.writeValue(file.toFile(), out);
    System.out.println("wrote " + file);
    return file;
  }
}
