package io.segmenttransfer.server.cli;

import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.api.ExternalView;
import io.segmenttransfer.controller.api.TableConfig;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.controller.completion.CompletionConfig;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.transfer.RetryPolicy;
import io.segmenttransfer.peer.HttpSegmentStore;
import io.segmenttransfer.peer.HttpStoreConfig;
import io.segmenttransfer.s3.S3Config;
import io.segmenttransfer.s3.S3SegmentStore;
import io.segmenttransfer.server.daemon.CommitConfig;
import io.segmenttransfer.server.daemon.SegmentServer;
import io.segmenttransfer.server.daemon.ServerConfig;
import io.segmenttransfer.server.daemon.SourceKind;
import io.segmenttransfer.server.quickstart.QuickstartAccessCheck;
import io.segmenttransfer.server.quickstart.QuickstartDeepStore;
import io.segmenttransfer.server.quickstart.QuickstartSecurity;
import io.segmenttransfer.server.quickstart.SampleSegment;
import io.segmenttransfer.server.quickstart.SampleSegments;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@code quickstart}: the whole story on one machine with nothing installed. Generates sample
 * segments, starts a controller with a deep store, uploads the segments, starts two servers that
 * load them, bootstraps a third data directory from the deep store and, after one archive was
 * deleted from the deep store behind the controller's back, a fourth one that must get that segment
 * from the servers holding it. Then the commit story ({@link QuickstartCommitStory}): a REALTIME
 * table whose segment server A commits while the deep store is down, B gets from A as a peer, the
 * controller's repair task uploads once the deep store is back, and a fifth data dir bootstraps
 * from the deep store. Prints what happened and the throughput; exits 0 when every step did what it
 * should, 1 with the step that did not.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    header = "Runs the whole story on this machine and prints what happened.",
    description =
        "Runs the whole story on this machine: an embedded controller and deep store (a directory, or an in-process S3 server with --s3), generated sample segments, two servers that load them, a one-shot bootstrap from the deep store, and one that falls back to peers for a segment missing from the deep store. Then a REALTIME segment is committed while the deep store is down: a peer serves it, the controller's repair task uploads it once the deep store is back, a fresh bootstrap reads it from there. Prints what happened and the throughput. Every port is chosen free; nothing is left running.")
final class QuickstartCommand implements Callable<Integer> {

  static final TableNameWithType TABLE =
      new TableNameWithType("quickstart", TableNameWithType.TableType.OFFLINE);
  private static final int REPLICATION = 2;
  private static final Duration STEP_TIMEOUT = Duration.ofMinutes(2);
  private static final int IO_THREADS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

  /**
   * How long the controller holds a commit for replicas that have not reported: only A consumes the
   * quickstart's realtime segment, so Pinot's 3 s would only be waited out.
   */
  private static final Duration HOLD_WINDOW = Duration.ofMillis(500);

  /**
   * The servers' commits: asked again 250 ms after a HOLD (not 2 s), and one try of the background
   * upload (not 5 over about 40 s), so that the commit made while the deep store is down gives its
   * upload up at once and leaves it to the controller's repair task, as the story shows.
   */
  private static final CommitConfig COMMIT =
      CommitConfig.defaults()
          .withRetries(
              Duration.ofMillis(250),
              CommitConfig.DEFAULT_CONTROLLER_RETRY,
              new RetryPolicy(1, Duration.ofMillis(100), 2, Duration.ofSeconds(1), 0.2));

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description =
          "Where everything goes (must be empty or absent; kept afterwards). Default: a temporary directory, deleted at the end.")
  Path workDir;

  @Option(
      names = "--segments",
      paramLabel = "N",
      defaultValue = "6",
      description = "Sample segments. Default: ${DEFAULT-VALUE}.")
  int segments;

  @Option(
      names = "--segment-size-mb",
      paramLabel = "M",
      defaultValue = "8",
      description = "Approximate size of each segment in MB. Default: ${DEFAULT-VALUE}.")
  int segmentSizeMb;

  @Option(
      names = "--s3",
      description =
          "Use an S3 bucket (S3Proxy, in this JVM) as the deep store instead of a directory.")
  boolean s3;

  @Option(
      names = "--secure",
      description =
          "The same story on a secured cluster: HTTPS with certificates of a CA made at start (mutual TLS to the servers), an auth file with admin, server and read principals whose random tokens are printed once; the servers use their own principal.")
  boolean secure;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  /** One line of the throughput table. */
  private record Step(String what, int segments, long bytes, long millis, String sources) {
    double megabytesPerSecond() {
      return bytes / 1e6 / Math.max(millis, 1) * 1e3;
    }
  }

  @Override
  public Integer call() throws Exception {
    if (segments < 2 || segments > 1000) {
      throw new InvalidRequestException(
          null, "--segments must be between 2 and 1000, was " + segments);
    }
    if (segmentSizeMb < 1 || segmentSizeMb > 4096) {
      throw new InvalidRequestException(
          null, "--segment-size-mb must be between 1 and 4096, was " + segmentSizeMb);
    }
    long started = System.nanoTime();
    PrintWriter out = spec.commandLine().getOut();
    // Ctrl-C or SIGTERM at any step interrupts this thread: the step in progress fails, everything
    // started so far is closed in reverse order and the work directory deleted, then the exit code
    // says which signal it was.
    try (Interruption interruption = Interruption.interrupting(Thread.currentThread())) {
      Path work = workDirectory();
      int code;
      try (Resources resources = new Resources()) {
        if (workDir == null) {
          resources.add(() -> deleteRecursively(work));
        }
        Scheduler io = Schedulers.newBoundedElastic(IO_THREADS, 10_000, "quickstart-io");
        resources.add(io::dispose);
        code = run(work, io, resources, out, started);
      } catch (Exception e) {
        if (!interruption.happened()) {
          throw e;
        }
        code = interruption.exitCode();
      }
      if (interruption.happened()) {
        Thread.interrupted();
        out.flush();
        PrintWriter err = spec.commandLine().getErr();
        err.println(
            "interrupted, cleaned up" + (workDir == null ? "" : " (" + work + " kept, as asked)"));
        err.flush();
        return interruption.exitCode();
      }
      return code;
    }
  }

  private int run(Path work, Scheduler io, Resources resources, PrintWriter out, long started)
      throws Exception {
    say(out, "segment-transfer quickstart in " + work);
    QuickstartSecurity security =
        secure ? QuickstartSecurity.generate(work.resolve("security")) : QuickstartSecurity.open();
    if (security.secured()) {
      say(out, security.credentialsBlock(work));
    }

    // 1. Sample segments.
    long t = System.nanoTime();
    List<SampleSegment> samples =
        SampleSegments.write(
                Files.createDirectories(work.resolve("samples")),
                TABLE,
                segments,
                segmentSizeMb * 1_000_000L,
                io)
            .sort(Comparator.comparing(s -> s.segment().segmentName()))
            .collectList()
            .block(STEP_TIMEOUT);
    long sampleBytes = samples.stream().mapToLong(SampleSegment::bytes).sum();
    long archiveBytes = samples.stream().mapToLong(SampleSegment::archiveBytes).sum();
    say(
        out,
        String.format(
            "[1] generated %d segments of table %s in Pinot's v3 layout with valid creation.meta CRCs:%n"
                + "    %,d bytes, %,d as tar.gz archives (%.1fx), in %,d ms",
            samples.size(),
            TABLE,
            sampleBytes,
            archiveBytes,
            (double) sampleBytes / Math.max(archiveBytes, 1),
            millisSince(t)));

    // 2. Deep store, controller, table, uploads.
    t = System.nanoTime();
    QuickstartDeepStore deepStore =
        s3 ? QuickstartDeepStore.s3() : QuickstartDeepStore.local(work.resolve("deepstore"), io);
    resources.add(deepStore);
    ControllerConfig controllerConfig =
        new ControllerConfig(0, work.resolve("controller"), deepStore.uri(), null, null, null);
    if (security.secured()) {
      controllerConfig =
          controllerConfig.withAuthFile(security.authFile()).withSecurity(security.controller());
    }
    EmbeddedController controller =
        EmbeddedController.create(
                controllerConfig,
                deepStore.controllerStores(),
                CompletionConfig.defaults().withHoldWindow(HOLD_WINDOW),
                Clock.systemUTC())
            .block(STEP_TIMEOUT);
    resources.add(controller);
    ControllerClient client = ControllerClient.create(controller.baseUrl(), security.admin());
    // Secured, the servers' admin ports speak TLS: peers are fetched over https (Pinot's rule).
    client
        .createTable(
            security.secured()
                ? new TableConfig(TABLE, REPLICATION, security.scheme(), null, null)
                : TableConfig.of(TABLE, REPLICATION))
        .block(STEP_TIMEOUT);
    Flux.fromIterable(samples)
        .flatMap(s -> client.uploadSegment(TABLE, s.archive()), 2)
        .then()
        .block(STEP_TIMEOUT);
    say(
        out,
        String.format(
            "[2] controller at %s, deep store: %s%n"
                + "    created table %s (replication %d) and uploaded the %d archives in %,d ms",
            controller.baseUrl(),
            deepStore.description(),
            TABLE,
            REPLICATION,
            samples.size(),
            millisSince(t)));
    if (security.secured()) {
      say(out, QuickstartAccessCheck.run(controller.baseUrl(), security, STEP_TIMEOUT));
    }

    // 3. Two servers load everything the controller assigns them.
    t = System.nanoTime();
    URI controllerUri = URI.create(controller.baseUrl());
    List<SegmentServer> servers =
        Flux.just("server-a", "server-b")
            .flatMapSequential(
                name ->
                    SegmentServer.start(
                        secured(
                            serverConfig(
                                controllerUri,
                                work.resolve(name),
                                deepStore.uri(),
                                deepStore.s3Config()),
                            security,
                            name)))
            .doOnNext(server -> resources.add(server))
            .collectList()
            .block(STEP_TIMEOUT);
    Mono.when(servers.stream().map(SegmentServer::bootstrapped).toList())
        .then(allOnline(client, samples, REPLICATION))
        .block(STEP_TIMEOUT);
    long serversMillis = millisSince(t);
    say(
        out,
        String.format(
            "[3] servers A (%s) and B (%s) registered, were each assigned all %d segments and loaded%n"
                + "    them from the deep store: every segment ONLINE on %d servers after %,d ms",
            servers.get(0).instanceId(),
            servers.get(1).instanceId(),
            samples.size(),
            REPLICATION,
            serversMillis));

    // 4. A new server bootstraps from the deep store.
    String deepStoreKind =
        SourceKind.of(
            URI.create(
                client
                    .metadata(samples.get(0).segment())
                    .block(STEP_TIMEOUT)
                    .downloadUrl()
                    .orElseThrow()));
    say(
        out,
        "[4] server C bootstraps a fresh data dir with the 'bootstrap' command's code, from the deep store\n"
            + (deepStoreKind.equals(SourceKind.CONTROLLER)
                ? "    (source 'controller': the deep-store archive served at the controller's download URL):"
                : "    (source '"
                    + deepStoreKind
                    + "': the download URLs are deep-store URIs, read without the controller):"));
    BootstrapSummary c =
        bootstrap(
            work.resolve("server-c"),
            TABLE,
            controllerUri,
            client,
            deepStore.s3Config(),
            security,
            out);

    // 5. One archive disappears from the deep store; the metadata still points at it.
    SegmentId victim = samples.get(samples.size() / 2).segment();
    URI deleted = deepStore.deleteArchive(victim).block(STEP_TIMEOUT);
    say(
        out,
        "[5] deleted the archive of "
            + victim.segmentName()
            + " straight from the deep store:\n"
            + "    "
            + deleted
            + "\n"
            + "    the controller's metadata still points at it; its download URL now answers 404");

    // 6. The next bootstrap must fall back to the peers for it.
    say(
        out,
        "[6] server D bootstraps a fresh data dir: the deep store fails for that segment, so the servers holding it\n"
            + "    ONLINE in the external view (A and B) serve it as peers:");
    BootstrapSummary d =
        bootstrap(
            work.resolve("server-d"),
            TABLE,
            controllerUri,
            client,
            deepStore.s3Config(),
            security,
            out);

    List<Step> steps =
        List.of(
            new Step(
                "servers A + B load (assigned)",
                2 * samples.size(),
                2 * sampleBytes,
                serversMillis,
                deepStoreKind),
            new Step(
                "C bootstraps from the deep store",
                c.segments(),
                c.bytes(),
                c.millis(),
                sources(c)),
            new Step(
                "D bootstraps, one archive missing",
                d.segments(),
                d.bytes(),
                d.millis(),
                sources(d)));
    say(out, throughputTable(steps));

    int peerSegments = d.sources().getOrDefault(SourceKind.PEER, 0);
    if (!c.succeeded() || !d.succeeded() || peerSegments != 1) {
      spec.commandLine()
          .getErr()
          .println(
              "error: the quickstart did not go as it should: C failed "
                  + c.failed()
                  + ", D failed "
                  + d.failed()
                  + ", D got "
                  + peerSegments
                  + " segment(s) from peers instead of 1"
                  + (d.failures().isEmpty() ? "" : "; " + d.failures().get(0)));
      spec.commandLine().getErr().flush();
      return Main.EXIT_FAILED;
    }
    say(
        out,
        String.format(
            "the peer fallback worked: %s came from a peer, the other %d from the deep store.",
            victim.segmentName(), d.segments() - 1));

    // 7-12. The commit story: a realtime segment committed while the deep store is down.
    QuickstartCommitStory story =
        new QuickstartCommitStory(
            work,
            io,
            out,
            client,
            servers.get(0),
            servers.get(1),
            deepStore,
            deepStoreKind,
            REPLICATION,
            HOLD_WINDOW,
            security,
            (dataDir, table) ->
                bootstrap(
                    dataDir, table, controllerUri, client, deepStore.s3Config(), security, out));
    try {
      story.run(7, segmentSizeMb * 1_000_000L);
    } catch (QuickstartCommitStory.StepFailed e) {
      if (Thread.currentThread().isInterrupted() || interrupted(e)) {
        throw e; // stopped by a signal, not failed: call() says so
      }
      spec.commandLine()
          .getErr()
          .println("error: the quickstart did not go as it should: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return Main.EXIT_FAILED;
    }
    say(out, String.format("done in %.1f s; shutting down.", millisSince(started) / 1000.0));
    return 0;
  }

  /** Whether {@code error} comes from an interrupt (a blocking wait cut short by a signal). */
  private static boolean interrupted(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof InterruptedException) {
        return true;
      }
    }
    return false;
  }

  private Path workDirectory() throws IOException {
    if (workDir == null) {
      return Files.createTempDirectory("segment-transfer-quickstart-");
    }
    Path dir = workDir.toAbsolutePath().normalize();
    if (Files.exists(dir)) {
      try (Stream<Path> entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new InvalidRequestException(null, "--work-dir " + dir + " must be empty or absent");
        }
      }
    }
    return Files.createDirectories(dir);
  }

  private static ServerConfig serverConfig(
      URI controller, Path dataDir, URI deepStore, S3Config s3) {
    return new ServerConfig(
            controller,
            dataDir,
            ServerConfig.DEFAULT_HOST,
            0,
            null,
            deepStore,
            4,
            0,
            ServerConfig.DEFAULT_MAX_PEER_UPLOADS,
            0,
            ServerConfig.DEFAULT_LONG_POLL,
            Duration.ofSeconds(5),
            null,
            s3)
        .withCommit(COMMIT);
  }

  /** The open config as it is, or with HTTPS, mutual TLS, the auth file and its own principal. */
  private static ServerConfig secured(
      ServerConfig config, QuickstartSecurity security, String name) {
    return security.secured()
        ? config.withAuthFile(security.authFile()).withSecurity(security.server(name))
        : config;
  }

  /**
   * Completes once the external view shows every sample ONLINE on {@code replicas} servers; polls
   * every 100 ms.
   */
  private static Mono<ExternalView> allOnline(
      ControllerClient client, List<SampleSegment> samples, int replicas) {
    return Mono.defer(() -> client.externalView(TABLE.rawName()))
        // 404 until the first replica is reported.
        .onErrorResume(SourceNotFoundException.class, e -> Mono.empty())
        .filter(
            view ->
                samples.stream()
                    .allMatch(s -> view.onlineInstances(s.segment()).size() >= replicas))
        .repeatWhenEmpty(repeats -> repeats.delayElements(Duration.ofMillis(100)));
  }

  private BootstrapSummary bootstrap(
      Path dataDir,
      TableNameWithType table,
      URI controller,
      ControllerClient client,
      S3Config s3,
      QuickstartSecurity security,
      PrintWriter out)
      throws InterruptedException {
    List<SegmentMetadata> metadata =
        TableBootstrap.listTable(client, table.toString()).block(STEP_TIMEOUT);
    TableBootstrap.Settings settings =
        new TableBootstrap.Settings(
            dataDir, controller, 4, TableBootstrap.Settings.DEFAULT_PEER_ROUNDS, security.reader());
    BootstrapProgress progress =
        new BootstrapProgress(BootstrapProgress.Mode.LINES, out, "bootstrap", 0, "      ");
    List<SegmentStore> stores =
        new ArrayList<>(
            List.of(
                HttpSegmentStore.create(
                    HttpStoreConfig.defaults().withSecurity(security.reader()))));
    if (s3 != null) {
      stores.add(S3SegmentStore.create(s3));
    }
    BootstrapSummary summary =
        TableBootstrap.run(
            settings,
            table.toString(),
            metadata,
            CrypterRegistry.fromConfig(CrypterConfig.defaults()),
            stores,
            progress);
    say(
        out,
        summary
            .text()
            .lines()
            .map(line -> "  " + line)
            .reduce((a, b) -> a + System.lineSeparator() + b)
            .orElse(""));
    return summary;
  }

  private static String sources(BootstrapSummary summary) {
    return String.join(
        ", ",
        summary.sources().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList());
  }

  private static String throughputTable(List<Step> steps) {
    StringBuilder table =
        new StringBuilder("throughput (MB = 10^6 bytes of segment files written)\n");
    String format = "  %-34s %8s %14s %9s %8s  %s%n";
    table.append(
        String.format(format, "step", "segments", "bytes", "ms", "MB/s", "sources (segments)"));
    for (Step step : steps) {
      table.append(
          String.format(
              format,
              step.what(),
              step.segments(),
              String.format("%,d", step.bytes()),
              String.format("%,d", step.millis()),
              String.format("%.1f", step.megabytesPerSecond()),
              step.sources()));
    }
    return table.toString().stripTrailing();
  }

  private static void say(PrintWriter out, String text) {
    out.println(text);
    out.flush();
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    // After an interrupt, a worker of a step that was cut short may still be finishing a file
    // while the walk runs: walk again, a few times, until nothing is left.
    for (int pass = 1; ; pass++) {
      if (!Files.exists(dir)) {
        return;
      }
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path path : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(path);
        }
        return;
      } catch (java.nio.file.DirectoryNotEmptyException | java.nio.file.NoSuchFileException e) {
        if (pass == 5) {
          throw e;
        }
        try {
          Thread.sleep(100L * pass);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      } catch (java.io.UncheckedIOException e) {
        if (pass == 5) {
          throw e.getCause();
        }
      }
    }
  }

  /**
   * What the quickstart started, closed in reverse order on the way out, however it ends: the
   * servers before the controller they report to, the controller before its deep store.
   */
  private static final class Resources implements AutoCloseable {
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    synchronized void add(AutoCloseable resource) {
      opened.push(resource);
    }

    @Override
    public void close() {
      List<Exception> failures = new ArrayList<>();
      AutoCloseable next;
      while ((next = poll()) != null) {
        // An interrupt (the stop signal) is for the step that was running, not for the cleanup:
        // a closing server or controller blocks until it has stopped.
        Thread.interrupted();
        try {
          next.close();
        } catch (Exception e) {
          failures.add(e);
        }
      }
      if (!failures.isEmpty()) {
        IllegalStateException error =
            new IllegalStateException("cleanup failed: " + failures.get(0), failures.get(0));
        failures.stream().skip(1).forEach(error::addSuppressed);
        throw error;
      }
    }

    private synchronized AutoCloseable poll() {
      return opened.poll();
    }
  }
}
