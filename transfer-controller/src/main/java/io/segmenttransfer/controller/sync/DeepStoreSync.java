package io.segmenttransfer.controller.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.segmenttransfer.controller.ArchiveJanitor;
import io.segmenttransfer.controller.ControllerState;
import io.segmenttransfer.controller.ControllerState.TableState;
import io.segmenttransfer.controller.ControllerStore.SegmentDocument;
import io.segmenttransfer.controller.DownloadUrls;
import io.segmenttransfer.controller.TableConfigHash;
import io.segmenttransfer.controller.api.SyncReport;
import io.segmenttransfer.core.cluster.InstanceInfo;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.error.EntityNotFoundException;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.segment.RealtimeStatus;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.DeepStoreLayout;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.core.transfer.DownloadConfig;
import io.segmenttransfer.core.transfer.PeerFinder;
import io.segmenttransfer.core.transfer.SegmentDownloader;
import io.segmenttransfer.http.tls.SecuritySettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Runs the deep-store sync: one run per table at a time (asking again while one runs gets that
 * run), segments of a run processed with bounded parallelism, runs cancellable, the last {@value
 * #KEPT_RUNS} runs kept for {@code GET .../runs/{id}}. A run, once started, belongs to this runner:
 * a client that disconnects does not cancel it; {@link #cancel} and {@link #close} do.
 *
 * <p>A run reads the table once at its start (config, schema, hash, segments) and decides per
 * segment: skipped when it is not completed, has no deep-store copy, is encrypted (the controller
 * holds no keys), is up to date for the processor, is not reported stale by any server ({@code
 * reloadOnly}), or is being reloaded by a server right now (left for the next run); otherwise it is
 * rebuilt ({@link SegmentRebuild}). A failed segment fails alone.
 */
public final class DeepStoreSync implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DeepStoreSync.class);
  static final int KEPT_RUNS = 100;
  static final String WORK_DIR = "sync-work";

  /** What {@link #start} did: started a run, or found one running for the table. */
  public record Started(SyncReport report, boolean alreadyRunning) {}

  private final ControllerState state;
  private final DeepStoreSyncConfig config;
  private final Scheduler scheduler;
  private final Clock clock;
  private final Path workRoot;
  private final SegmentRebuild rebuild;
  private final ServerStaleness staleness;
  private final Map<TableNameWithType, SyncRun> running = new ConcurrentHashMap<>();
  private final Map<String, SyncRun> runs =
      java.util.Collections.synchronizedMap(new LinkedHashMap<>());
  private final AtomicLong counter = new AtomicLong();
  private volatile boolean closed;

  public DeepStoreSync(
      ControllerState state,
      SegmentStores stores,
      URI deepStore,
      DownloadUrls downloadUrls,
      ArchiveJanitor janitor,
      Scheduler scheduler,
      Clock clock,
      Path dataDir,
      DeepStoreSyncConfig config) {
    this(
        state,
        stores,
        deepStore,
        downloadUrls,
        janitor,
        scheduler,
        clock,
        dataDir,
        config,
        SyncStepObserver.NONE,
        SecuritySettings.none());
  }

  /** The same, with an observer of each segment's steps (crash tests). */
  public DeepStoreSync(
      ControllerState state,
      SegmentStores stores,
      URI deepStore,
      DownloadUrls downloadUrls,
      ArchiveJanitor janitor,
      Scheduler scheduler,
      Clock clock,
      Path dataDir,
      DeepStoreSyncConfig config,
      SyncStepObserver observer,
      SecuritySettings security) {
    this.staleness = new ServerStaleness(security);
    this.state = state;
    this.config = config;
    this.scheduler = scheduler;
    this.clock = clock;
    this.workRoot = dataDir.resolve(WORK_DIR);
    SegmentDownloader downloader =
        new SegmentDownloader(
            new SegmentExtractor(
                ExtractionConfig.defaults(),
                CrypterRegistry.fromConfig(CrypterConfig.defaults()),
                scheduler),
            stores,
            PeerFinder.NONE,
            DownloadConfig.defaults());
    this.rebuild =
        new SegmentRebuild(
            state,
            stores,
            new DeepStoreLayout(deepStore),
            downloadUrls,
            janitor,
            downloader,
            scheduler,
            clock,
            observer);
  }

  public DeepStoreSyncConfig config() {
    return config;
  }

  /**
   * Removes what runs cut short by a crash left in the work root. Blocking; call at start, before
   * any run.
   */
  public void sweepWorkRoot() {
    try {
      SegmentRebuild.deleteTree(workRoot);
    } catch (IOException e) {
      LOG.warn("could not clear the sync work directory {}: {}", workRoot, e.toString());
    }
  }

  /**
   * Starts a run for {@code request} unless one runs for the table. Lazy. Emits at once (the run
   * goes on in the background): the new run's first report, or the running one's; fails with {@link
   * InvalidRequestException} for a processor that cannot be had or cannot work for the table,
   * {@link EntityNotFoundException} for an unknown table.
   */
  public Mono<Started> start(SyncRequest request) {
    return Mono.fromCallable(() -> startNow(request)).subscribeOn(scheduler);
  }

  private Started startNow(SyncRequest request) {
    if (closed) {
      throw new io.segmenttransfer.core.error.ShuttingDownException("controller is shutting down");
    }
    TableNameWithType table = request.table();
    TableState tableState = state.table(table);
    SegmentProcessor processor =
        request.mode() == SyncMode.NONE ? null : request.processor().create(scheduler);
    JsonNode schema = state.schema(TableConfigHash.schemaName(tableState.config())).orElse(null);
    if (processor != null) {
      processor.checkTable(tableState.config(), schema);
    }
    String id = table + "-" + clock.millis() + "-" + counter.incrementAndGet();
    SyncRun run =
        new SyncRun(
            id,
            table,
            request.mode(),
            processor == null ? request.processor().processor() : processor.name(),
            clock.millis());
    SyncRun existing = running.putIfAbsent(table, run);
    if (existing != null) {
      return new Started(existing.report(), true);
    }
    remember(run);
    if (processor == null) {
      run.started(state.tableHash(table), tableState.segments().size(), 0);
      run.note(
          "neither reloadOnly nor forceReload was set: nothing done (reloadOnly=true rebuilds what"
              + " servers report stale, forceReload=true every segment without the current hash)");
      finish(run, SyncReport.FINISHED);
      return new Started(run.report(), false);
    }
    RunContext context =
        new RunContext(
            id,
            tableState.config(),
            schema,
            state.tableHash(table),
            processor,
            request.processorTimeout() != null
                ? request.processorTimeout()
                : config.processorTimeout(),
            workRoot);
    int parallelism = request.parallelism() != null ? request.parallelism() : config.parallelism();
    run.attach(
        execute(run, request.mode(), tableState, context, parallelism)
            .subscribe(
                ignored -> {},
                error -> {
                  LOG.warn("deep-store sync run {} failed", id, error);
                  run.note(String.valueOf(error.getMessage()));
                  finish(run, SyncReport.FAILED);
                },
                () -> finish(run, SyncReport.FINISHED)));
    return new Started(run.report(), false);
  }

  private Mono<Void> execute(
      SyncRun run, SyncMode mode, TableState table, RunContext context, int parallelism) {
    List<SegmentDocument> segments = List.copyOf(table.segments().values());
    return staleness
        .ask(run.table(), holders(table))
        .flatMap(
            view -> {
              if (!view.unreachable().isEmpty()) {
                run.note("servers not answering isStale: " + String.join(", ", view.unreachable()));
              }
              List<SegmentDocument> selected = new ArrayList<>();
              for (SegmentDocument segment : segments) {
                String reason = skipReason(segment, mode, context, view);
                if (reason == null) {
                  selected.add(segment);
                } else {
                  run.skipped(segment.id().segmentName(), reason);
                }
              }
              run.started(context.tableHash(), segments.size(), selected.size());
              return Flux.fromIterable(selected)
                  .flatMap(
                      segment ->
                          rebuild
                              .rebuild(segment, context)
                              .doOnNext(
                                  rebuilt ->
                                      run.processed(
                                          segment.id().segmentName(),
                                          rebuilt.bytesBefore(),
                                          rebuilt.bytesAfter()))
                              .onErrorResume(
                                  error -> {
                                    LOG.warn(
                                        "deep-store sync of {} failed: {}",
                                        segment.id(),
                                        error.toString());
                                    run.failed(segment.id().segmentName(), cause(error));
                                    return Mono.empty();
                                  }),
                      parallelism)
                  .then();
            });
  }

  private static @Nullable String skipReason(
      SegmentDocument segment, SyncMode mode, RunContext context, ServerStaleness.View view) {
    SegmentMetadata metadata = segment.metadata();
    String name = segment.id().segmentName();
    String status = metadata.fields().get(SegmentMetadata.REALTIME_STATUS);
    if (RealtimeStatus.IN_PROGRESS.name().equals(status)
        || RealtimeStatus.COMMITTING.name().equals(status)) {
      return "not completed (" + status + ")";
    }
    if (segment.archive() == null || metadata.crcIfPresent().isEmpty()) {
      return "no deep-store copy (peers only)";
    }
    if (metadata.crypter().isPresent()) {
      return "encrypted with " + metadata.crypter().get() + ": the controller holds no keys";
    }
    String upToDate = context.processor().upToDate(segment, context.tableHash());
    if (upToDate != null) {
      return upToDate;
    }
    if (mode == SyncMode.RELOAD_ONLY && !view.staleOn().containsKey(name)) {
      return "no server reports it stale";
    }
    List<String> reloading = view.reloadingOn().get(name);
    if (reloading != null) {
      return "being reloaded by " + String.join(", ", reloading) + ": left for the next run";
    }
    return null;
  }

  /** The registered servers the ideal state assigns any of the table's segments to. */
  private List<InstanceInfo> holders(TableState table) {
    Set<String> ids = new LinkedHashSet<>();
    table.idealState().values().forEach(ids::addAll);
    List<InstanceInfo> servers = new ArrayList<>();
    for (String id : ids) {
      state.instanceInfo(id).filter(InstanceInfo::isServer).ifPresent(servers::add);
    }
    return servers;
  }

  private static String cause(Throwable error) {
    String message = error.getMessage();
    return error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private void finish(SyncRun run, String status) {
    run.end(status);
    running.remove(run.table(), run);
  }

  private void remember(SyncRun run) {
    synchronized (runs) {
      runs.put(run.id(), run);
      while (runs.size() > KEPT_RUNS) {
        String oldest = runs.keySet().iterator().next();
        if (runs.get(oldest).isRunning()) {
          break;
        }
        runs.remove(oldest);
      }
    }
  }

  /** A run in progress or among the last ones. */
  public Optional<SyncReport> run(String id) {
    SyncRun run = runs.get(id);
    return run == null ? Optional.empty() : Optional.of(run.report());
  }

  /** Emits the run's final report once it ended (at once when it has); empty for an unknown id. */
  public Mono<SyncReport> whenFinished(String id) {
    SyncRun run = runs.get(id);
    return run == null ? Mono.empty() : run.whenFinished();
  }

  /** Cancels a run; returns its report (CANCELLED unless it had ended), empty for an unknown id. */
  public Optional<SyncReport> cancel(String id) {
    SyncRun run = runs.get(id);
    if (run == null) {
      return Optional.empty();
    }
    run.cancel();
    running.remove(run.table(), run);
    return Optional.of(run.report());
  }

  /** Runs in progress, by table. */
  public Map<String, String> runningIds() {
    Map<String, String> ids = new LinkedHashMap<>();
    running.forEach((table, run) -> ids.put(table.toString(), run.id()));
    return ids;
  }

  /** Cancels every run without waiting for anything, as a crash would leave them. */
  public void halt() {
    closed = true;
    List.copyOf(running.values()).forEach(run -> cancel(run.id()));
  }

  /**
   * Cancels every run and waits (a few seconds at most) for their work directories to go. Blocks;
   * not on an event loop.
   */
  @Override
  public void close() {
    closed = true;
    List.copyOf(running.values()).forEach(run -> cancel(run.id()));
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (rebuild.workDirsInUse() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
