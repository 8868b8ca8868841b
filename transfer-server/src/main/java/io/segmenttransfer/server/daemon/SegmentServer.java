package io.segmenttransfer.server.daemon;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.segmenttransfer.controller.api.SegmentState;
import io.segmenttransfer.controller.api.StaleSegment;
import io.segmenttransfer.controller.client.CompletionClient;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.error.CrcMismatchException;
import io.segmenttransfer.core.error.EntityNotFoundException;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.local.DataDirectoryLock;
import io.segmenttransfer.core.local.SegmentDataDirectory;
import io.segmenttransfer.core.runtime.RuntimeConfig;
import io.segmenttransfer.core.runtime.TransferRuntime;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.DeepStoreLayout;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.http.ErrorBody;
import io.segmenttransfer.http.JsonReply;
import io.segmenttransfer.http.KeepAliveSafe;
import io.segmenttransfer.http.PathParameters;
import io.segmenttransfer.http.QueryParameters;
import io.segmenttransfer.http.auth.AccessControl;
import io.segmenttransfer.http.limits.HttpServerLimits;
import io.segmenttransfer.http.tls.ServerTls;
import io.segmenttransfer.peer.ExternalViewPeerFinder;
import io.segmenttransfer.peer.HttpSegmentStore;
import io.segmenttransfer.peer.PeerDiscoveryConfig;
import io.segmenttransfer.peer.PeerSegmentHandler;
import io.segmenttransfer.peer.PeerServeConfig;
import io.segmenttransfer.s3.S3SegmentStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;
import reactor.util.retry.Retry;

/**
 * A server daemon: serves its segments to peers, follows the controller's assignment, and keeps its
 * data directory equal to it (deep store first, peers as fallback, CRC-equal copies kept).
 *
 * <p>Admin HTTP surface (docs/protocol.md): {@code GET /segments/{t}/{s}} (peer download), {@code
 * POST /segments/{t}/{s}/upload} (upload this copy to the deep store), {@code GET /health} (200
 * once the first assignment was loaded, 503 before), {@code GET /metrics} (Prometheus) and {@code
 * GET /tables/{table}/segments/crc}.
 */
public final class SegmentServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SegmentServer.class);

  /**
   * The bootstrap's progress lines: a logger of their own, at INFO in the command line's logging
   * setup while everything else stays at WARN.
   */
  private static final Logger PROGRESS =
      LoggerFactory.getLogger("io.segmenttransfer.server.progress");

  /** How often a bootstrap says how far it is, per table. */
  static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

  private final TransferTracker transfers =
      new TransferTracker(java.time.Clock.systemUTC(), TransferTracker.DEFAULT_HISTORY);

  private reactor.core.Disposable progressLines = reactor.core.Disposables.disposed();

  private final ThrottledWarning waitingForController =
      new ThrottledWarning(LOG, java.time.Clock.systemUTC(), Duration.ofSeconds(30));

  private final ServerConfig config;
  private final TransferRuntime runtime;

  /** Where this server uploads its copies; null without a deep store (uploads are then refused). */
  private final @Nullable DeepStoreLayout deepStoreLayout;

  private final Scheduler scheduler;
  private final PrometheusMeterRegistry metrics =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ControllerClient controller;
  private final AtomicBoolean ready = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private DisposableServer admin;

  /** This process's hold on the data directory, from the start until every file is released. */
  private volatile @Nullable DataDirectoryLock dataDirLock;

  private String instanceId;
  private SegmentDataDirectory directory;
  private PeerSegmentHandler peers;
  private AssignmentFollower follower;
  private final CrypterRegistry crypters;

  /** Checks every request of the admin and peer port; null without an auth file. */
  private final @Nullable AccessControl access;

  private AsyncDeepStoreUploader uploader;
  private SegmentCommitter committer;
  private final HttpClient securedHttp;

  private SegmentServer(ServerConfig config) {
    this.config = config;
    // First: a bad auth file fails the start before anything is allocated.
    this.access = ServerAccess.load(config);
    this.crypters =
        CrypterRegistry.fromConfig(
            config.keyset() == null
                ? CrypterConfig.defaults()
                : CrypterConfig.tink(config.keyset()));
    this.runtime =
        new TransferRuntime(
            "server-io",
            RuntimeConfig.defaults(),
            crypters,
            List.of(
                S3SegmentStore.create(config.s3()),
                HttpSegmentStore.create(config.httpStoreConfig())));
    this.scheduler = runtime.scheduler();
    // Built at start, so a deep-store URI it cannot use fails the start, not the first upload.
    this.deepStoreLayout =
        config.deepStore() == null ? null : new DeepStoreLayout(config.deepStore());
    this.controller =
        ControllerClient.create(config.controller().toString(), config.security().client());
    // Built once here, off the event loops (it reads the PEM files), for every call that follows.
    this.securedHttp = config.security().client().configure(HttpClient.create());
  }

  /**
   * Starts a server: recovers the data directory, binds the admin port, registers with the
   * controller and starts following its assignment. Completes once registered (bootstrap goes on in
   * the background: see {@link #bootstrapped()}); errors when the controller cannot be reached or
   * the port is taken, with everything started so far closed again.
   */
  public static Mono<SegmentServer> start(ServerConfig config) {
    return Mono.defer(
        () -> {
          SegmentServer server = new SegmentServer(config);
          // A failure may arrive on an event loop: release everything without blocking, keep the
          // error.
          return server
              .startUp()
              .thenReturn(server)
              .onErrorResume(
                  error ->
                      server.shutdown().onErrorResume(e -> Mono.empty()).then(Mono.error(error)));
        });
  }

  private Mono<Void> startUp() {
    // The admin port is bound first: with port 0 the instance id depends on the port we get.
    HttpServerRoutes routes = HttpServerRoutes.newRoutes();
    AtomicBoolean routed = new AtomicBoolean();
    // The data directory first: a second process on it is refused before it binds or registers.
    Mono<Void> lock =
        Mono.fromRunnable(() -> dataDirLock = DataDirectoryLock.acquire(config.dataDir(), "server"))
            .subscribeOn(scheduler)
            .then();
    return lock.then(
            HttpServerLimits.apply(
                    ServerTls.secure(config.security().listener(), HttpServer.create()),
                    config.listenerLimits())
                .host(config.host())
                .port(config.adminPort())
                .handle(
                    ServerAccess.guard(
                        access,
                        KeepAliveSafe.offDispatch(
                            (request, response) ->
                                routed.get()
                                    ? routes.apply(request, response)
                                    : unavailable(response))))
                .bind()
                .onErrorMap(
                    e -> !(e instanceof io.segmenttransfer.core.error.SegmentTransferException),
                    e ->
                        new InvalidRequestException(
                            null,
                            "cannot listen on "
                                + config.host()
                                + ":"
                                + config.adminPort()
                                + ": the port is in use, or the host is not an address of this"
                                + " machine; give another --admin-port (0 picks a free one) or"
                                + " --host",
                            e)))
        .flatMap(
            bound -> {
              admin = bound;
              instanceId =
                  config.instanceId() != null
                      ? config.instanceId()
                      : "Server_" + config.host() + "_" + bound.port();
              build(routes);
              ServerAccess.requireListed(access, routes);
              routed.set(true);
              LOG.info(
                  "{} admin surface on {}://{}:{}",
                  instanceId,
                  config.security().scheme(),
                  config.host(),
                  bound.port());
              return directory.recover();
            })
        .doOnNext(
            actions -> actions.forEach(a -> LOG.info("recovery: {} {}", a.action(), a.path())))
        .then(
            Mono.defer(
                    () ->
                        controller.register(
                            config.host(),
                            admin.port(),
                            admin.port(),
                            config.security().listener().isPresent() ? admin.port() : -1,
                            config.instanceId()))
                // A controller that is not up yet (started at the same time, restarting) is waited
                // for, with backoff and a notice at most every 30 s; any other answer is final.
                .retryWhen(
                    Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
                        .maxBackoff(Duration.ofSeconds(5))
                        .filter(SegmentServer::controllerNotUpYet)
                        .doBeforeRetry(
                            signal ->
                                waitingForController.warn(
                                    "waiting for the controller: "
                                        + signal.failure().getMessage()
                                        + "; retrying until it answers")))
                .doOnNext(
                    registered -> waitingForController.recovered("registered with the controller")))
        .doOnNext(
            registered -> {
              follower =
                  new AssignmentFollower(controller, directory, instanceId, config.longPoll());
              follower.bootstrapped().doOnTerminate(() -> ready.set(true)).subscribe();
              follower.start();
              // The first assignment ends on an event loop; cancelling the ticker removes its task
              // from the timer's queue, which takes a lock, so the cancel moves off the event loop.
              progressLines =
                  Flux.interval(PROGRESS_EVERY, PROGRESS_EVERY, Schedulers.parallel())
                      .cancelOn(Schedulers.boundedElastic())
                      .takeUntilOther(follower.bootstrapped())
                      .subscribe(tick -> logProgress());
            })
        .then();
  }

  /** Nothing listens at the controller's address yet, or it answered as unavailable. */
  private static boolean controllerNotUpYet(Throwable error) {
    if (error instanceof io.segmenttransfer.core.error.SourceUnavailableException) {
      return true;
    }
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.net.ConnectException) {
        return true;
      }
    }
    return false;
  }

  /** One line per table of the first assignment that still has transfers in flight. */
  private void logProgress() {
    AssignmentFollower f = follower;
    if (f == null) {
      return;
    }
    Map<TableNameWithType, Integer> assigned = f.firstAssignmentByTable();
    transfers
        .tables()
        .forEach(
            (table, totals) -> {
              if (totals.inFlight() > 0) {
                PROGRESS.info(
                    "bootstrap {}: {} transferred, {} in flight, {} failed of {} segments"
                        + " assigned; {} MB received",
                    table,
                    totals.finished(),
                    totals.inFlight(),
                    totals.failed(),
                    assigned.getOrDefault(table, 0),
                    String.format("%.1f", totals.bytes() / 1e6));
              }
            });
  }

  /**
   * Once the first assignment was loaded: "loaded N segments (K kept, D downloaded)", and how many
   * failed (they are retried).
   */
  public Mono<String> firstLoad() {
    return follower == null
        ? Mono.empty()
        : follower.bootstrapped().then(Mono.fromCallable(() -> follower.firstLoad().describe()));
  }

  /** The transfers of this server, in flight and recently finished ({@code GET /transfers}). */
  public TransferTracker transfers() {
    return transfers;
  }

  private void build(HttpServerRoutes routes) {
    ExternalViewPeerFinder peerFinder =
        new ExternalViewPeerFinder(
            securedHttp, PeerDiscoveryConfig.of(config.controller(), instanceId));
    directory =
        runtime.dataDirectory(
            config.dataDir(),
            config.dataDirectoryConfig(),
            peerFinder,
            controller,
            new TransferMetrics(metrics).andThen(transfers));
    PeerServeConfig serve =
        PeerServeConfig.defaults(peerCacheDir())
            .withMaxConcurrentUploads(config.maxPeerUploads())
            .withMaxCacheBytes(config.peerCacheBytes());
    if (config.peerBytesPerSecond() > 0) {
      serve = serve.withBytesPerSecond(config.peerBytesPerSecond());
    }
    SegmentDataDirectory dir = directory;
    metrics.gauge("segment_downloads_active", dir, SegmentDataDirectory::activeDownloads);
    metrics.gauge("segment_downloads_queued", dir, SegmentDataDirectory::queuedDownloads);
    metrics.gauge("segment_operations_busy", dir, SegmentDataDirectory::busySegments);
    uploader =
        new AsyncDeepStoreUploader(
            directory,
            runtime.stores(),
            crypters,
            controller,
            config.commit().uploadConcurrency(),
            config.commit().uploadRetry(),
            scheduler,
            metrics);
    // One controller today: re-resolving after NOT_LEADER means asking the configured one again.
    committer =
        new SegmentCommitter(
            () -> new CompletionClient(securedHttp, config.controller().toString()),
            controller,
            directory,
            deepStoreLayout,
            uploader,
            crypters,
            () -> instanceId,
            config.commit(),
            scheduler);
    peers = new PeerSegmentHandler(directory, serve, scheduler);
    PeerSegmentHandler handler = peers;
    metrics.gauge("peer_uploads_active", handler, PeerSegmentHandler::activeUploads);
    metrics.gauge("peer_archive_cache_bytes", handler, PeerSegmentHandler::cachedBytes);
    peers.register(routes);
    routes
        .get(
            "/health",
            (request, response) ->
                ready.get()
                    ? JsonReply.ok(Map.of("status", "READY", "instanceId", instanceId))
                        .send(response)
                    : new JsonReply(503, Map.of("status", "STARTING", "instanceId", instanceId))
                        .send(response))
        .get(
            "/metrics",
            (request, response) ->
                response
                    .header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .sendString(Mono.fromCallable(metrics::scrape).subscribeOn(scheduler)))
        .get("/tables/{table}/segments/crc", this::crcs)
        .get("/tables/{table}/segments/isStale", this::isStale)
        .get("/transfers", this::transfers)
        .post("/segments/{table}/{segment}/upload", this::upload)
        // Pinot's newer name for the same request and answer ({"segmentName", "crc",
        // "downloadUrl"}).
        .post("/segments/{table}/{segment}/uploadLLCSegment", this::upload)
        .post("/segments/{table}/{segment}/commit", this::commit);
  }

  /**
   * {@code POST /segments/{t}/{s}/commit} with {@code {"segmentDir", "offset"}}: installs the
   * segment built at {@code segmentDir} and commits it with the controller ({@link
   * SegmentCommitter}); answers once the controller decided, not after the upload: 200 {@code
   * {"status", "downloadUrl", "crc", "segmentName"}} for a decision (plus {@code uploadUrl} when a
   * background upload was queued; {@code downloadUrl} is what the controller recorded, "" until the
   * upload is done), 504 with {@code status FAILED} and {@code error} when none came within {@code
   * commitDeadline}, the usual error shape for a bad request or segment.
   */
  private Publisher<Void> commit(HttpServerRequest request, HttpServerResponse response) {
    return request
        .receive()
        .asByteArray()
        .collect(
            java.io.ByteArrayOutputStream::new,
            (body, chunk) -> {
              if (body.size() + chunk.length > CommitRequestBody.MAX_BODY_BYTES) {
                throw new InvalidRequestException(
                    null, "commit body over " + CommitRequestBody.MAX_BODY_BYTES + " bytes");
              }
              body.write(chunk, 0, chunk.length);
            })
        .flatMap(
            body -> {
              SegmentId segment =
                  SegmentId.of(
                      PathParameters.decoded(request, "table"),
                      PathParameters.decoded(request, "segment"));
              CommitRequestBody asked =
                  CommitRequestBody.parse(
                      segment.segmentName(), body.toByteArray(), QueryParameters.of(request));
              return committer
                  .commit(segment, asked.segmentDir(), asked.offset())
                  // The caller's directory does not add up: a bad request, not a failure of this
                  // server.
                  .onErrorMap(
                      CrcMismatchException.class,
                      e -> new InvalidRequestException(segment.segmentName(), e.getMessage(), e));
            })
        .map(
            outcome -> {
              Map<String, Object> body = new LinkedHashMap<>();
              body.put("status", outcome.status().name());
              body.put("downloadUrl", outcome.downloadUrl());
              body.put("crc", Long.toString(outcome.crc()));
              body.put("segmentName", outcome.segment().segmentName());
              if (outcome.uploadUrl() != null) {
                body.put("uploadUrl", outcome.uploadUrl());
              }
              if (outcome.error() != null) {
                body.put("error", outcome.error());
              }
              return new JsonReply(outcome.error() == null ? 200 : 504, body);
            })
        .onErrorResume(e -> Mono.just(JsonReply.error(e)))
        .flatMap(reply -> reply.send(response));
  }

  /**
   * Pinot's {@code GET /tables/{tableNameWithType}/segments/isStale}: {@code [{"segmentName",
   * "isStale", "reason", "reloading"}]} for the copies held and the segments assigned, judged
   * against the table's config hash the controller serves ({@link StalenessReport}).
   */
  private Publisher<Void> isStale(HttpServerRequest request, HttpServerResponse response) {
    TableNameWithType table;
    try {
      table = TableNameWithType.parse(PathParameters.decoded(request, "table"));
    } catch (InvalidRequestException e) {
      return JsonReply.error(e).send(response);
    }
    StalenessReport report =
        new StalenessReport(
            directory,
            segment -> follower == null ? java.util.Optional.empty() : follower.assigned(segment));
    return controller
        .tableConfigState(table)
        .flatMap(
            state ->
                directory
                    .localCrcs(table)
                    .map(
                        local ->
                            StalenessReport.names(
                                table,
                                local.keySet(),
                                follower == null ? java.util.Set.of() : follower.held()))
                    .flatMap(
                        names ->
                            Mono.fromCallable(() -> report.of(state, names))
                                .subscribeOn(scheduler)))
        .map(list -> JsonReply.ok(StaleSegment.toJson(list)))
        .onErrorResume(e -> Mono.just(JsonReply.error(e)))
        .flatMap(reply -> reply.send(response));
  }

  /**
   * {@code GET /transfers}: in-flight and recently finished transfers as {@code {"transfers":
   * [...]}}, or with {@code ?format=text} as a table a person reads in a terminal.
   */
  private Publisher<Void> transfers(HttpServerRequest request, HttpServerResponse response) {
    List<TransferTracker.Transfer> list = transfers.list();
    String format;
    try {
      format = QueryParameters.of(request).getOrDefault("format", List.of("json")).get(0);
    } catch (InvalidRequestException e) {
      return JsonReply.error(e).send(response);
    }
    if (format.equals("text")) {
      return response
          .header("Content-Type", "text/plain; charset=utf-8")
          .sendString(Mono.just(TransferTracker.text(list)));
    }
    return JsonReply.ok(Map.of("transfers", list)).send(response);
  }

  /** Deep-store uploads after commits, queued or running. */
  public int pendingUploads() {
    return uploader == null ? 0 : uploader.pending();
  }

  /** Outside every table directory, so recovery and CRC listings never see it. */
  private Path peerCacheDir() {
    return config.dataDir().resolve(".peer-cache");
  }

  private Publisher<Void> crcs(HttpServerRequest request, HttpServerResponse response) {
    List<TableNameWithType> tables;
    try {
      String table = PathParameters.decoded(request, "table");
      tables =
          table.endsWith("_OFFLINE") || table.endsWith("_REALTIME")
              ? List.of(TableNameWithType.parse(table))
              : List.of(
                  new TableNameWithType(table, TableNameWithType.TableType.OFFLINE),
                  new TableNameWithType(table, TableNameWithType.TableType.REALTIME));
    } catch (InvalidRequestException e) {
      return JsonReply.error(e).send(response);
    }
    return Flux.fromIterable(tables)
        .concatMap(directory::localCrcs)
        .reduce(
            new LinkedHashMap<String, String>(),
            (all, crcs) -> {
              crcs.forEach((segment, crc) -> all.put(segment, Long.toString(crc)));
              return all;
            })
        .flatMap(all -> JsonReply.ok(all).send(response));
  }

  /**
   * Pinot's {@code POST /segments/{t}/{s}/upload?uploadTimeoutMs=N}: this server's copy goes to the
   * deep store (the controller's repair task asks for it), read under the segment's lock, bounded
   * by the timeout so a stuck deep store cannot hold the lock; answers {@code
   * {"segmentName","crc","downloadUrl"}}.
   */
  private Publisher<Void> upload(HttpServerRequest request, HttpServerResponse response) {
    if (deepStoreLayout == null) {
      return new JsonReply(
              503, new ErrorBody(503, "this server has no deep store configured (deepStore)"))
          .send(response);
    }
    SegmentId segment;
    Duration timeout;
    try {
      segment =
          SegmentId.of(
              PathParameters.decoded(request, "table"), PathParameters.decoded(request, "segment"));
      timeout = uploadTimeout(request);
    } catch (InvalidRequestException e) {
      return JsonReply.error(e).send(response);
    }
    URI target = deepStoreLayout.archive(segment, Codec.GZIP);
    SegmentStore store = runtime.stores().forUri(target);
    Mono<Map<String, Object>> uploaded =
        directory
            .withSegment(
                segment,
                local ->
                    store
                        .write(target, local.archive(Codec.GZIP, scheduler))
                        .timeout(timeout)
                        .thenReturn(
                            Map.<String, Object>of(
                                "segmentName",
                                segment.segmentName(),
                                "crc",
                                Long.toString(local.crc()),
                                "downloadUrl",
                                target.toString())))
            .next();
    // Decide the status first, then answer once: an error while sending is not answered twice.
    return uploaded
        .map(JsonReply::ok)
        .switchIfEmpty(
            Mono.error(
                () ->
                    new EntityNotFoundException(
                        null, "segment " + segment + " is not loaded here")))
        .onErrorResume(e -> Mono.just(JsonReply.error(e)))
        .flatMap(reply -> reply.send(response));
  }

  private static Duration uploadTimeout(HttpServerRequest request) {
    String value =
        QueryParameters.of(request).getOrDefault("uploadTimeoutMs", List.of("600000")).get(0);
    try {
      long millis = Long.parseLong(value);
      if (millis <= 0) {
        throw new NumberFormatException();
      }
      return Duration.ofMillis(millis);
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(
          null, "uploadTimeoutMs must be a positive number of milliseconds, was '" + value + "'");
    }
  }

  private static Publisher<Void> unavailable(HttpServerResponse response) {
    return new JsonReply(503, Map.of("status", "STARTING")).send(response);
  }

  public String instanceId() {
    return instanceId;
  }

  public int adminPort() {
    return admin.port();
  }

  public String baseUrl() {
    return config.security().scheme() + "://" + config.host() + ":" + admin.port();
  }

  public boolean isReady() {
    return ready.get();
  }

  /** Completes once every segment of the first assignment was loaded or reported ERROR. */
  public Mono<Void> bootstrapped() {
    return follower == null ? Mono.empty() : follower.bootstrapped();
  }

  public SegmentDataDirectory directory() {
    return directory;
  }

  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  /**
   * Stops cleanly: no new work is taken, in-flight transfers and deep-store uploads get {@code
   * shutdownDeadline} to finish and are cancelled after it, replicas are reported OFFLINE (best
   * effort), leftovers of cancelled transfers are removed, then the admin port and the threads are
   * released. Completes when all of it is done; a second call completes at once.
   */
  public Mono<Void> shutdown() {
    return Mono.defer(
        () -> {
          if (!closed.compareAndSet(false, true)) {
            return Mono.empty();
          }
          progressLines.dispose();
          Mono<Void> drain = Mono.empty();
          if (follower != null) {
            AssignmentFollower f = follower;
            f.stopPolling();
            drain =
                until(() -> f.inFlight() == 0, config.shutdownDeadline())
                    .then(Mono.fromRunnable(f::cancelAll))
                    .then(
                        Flux.fromIterable(f.held())
                            .flatMap(
                                segment ->
                                    controller.reportState(
                                        instanceId, segment, SegmentState.OFFLINE))
                            .then()
                            // Last: the id is free for a restart from another port at once.
                            .then(controller.endSession(instanceId))
                            .timeout(Duration.ofSeconds(2))
                            .onErrorResume(e -> Mono.empty()));
          }
          if (uploader != null) {
            // Deep-store uploads after commits get the same time as transfers: one that finishes
            // saves the repair task a round; those cut short are left to it.
            AsyncDeepStoreUploader u = uploader;
            drain =
                Mono.when(
                    drain,
                    until(() -> u.pending() == 0, config.shutdownDeadline())
                        .doOnSuccess(
                            done -> {
                              if (u.pending() > 0) {
                                LOG.warn(
                                    "stopping with {} deep-store upload(s) not finished: peers serve"
                                        + " those segments until the controller's repair uploads"
                                        + " them",
                                    u.pending());
                              }
                            }));
          }
          if (directory != null) {
            SegmentDataDirectory dir = directory;
            // Cancelled transfers clean their staging asynchronously: wait for them, then sweep.
            drain =
                drain
                    .then(until(() -> dir.busySegments() == 0, Duration.ofSeconds(10)))
                    .then(dir.recover().onErrorResume(e -> Mono.empty()).then());
          }
          return drain
              .then(
                  Mono.defer(
                      () -> {
                        if (admin == null) {
                          return Mono.<Void>empty();
                        }
                        admin.dispose();
                        return admin
                            .onDispose()
                            .timeout(Duration.ofSeconds(5))
                            .onErrorResume(e -> Mono.empty());
                      }))
              .onErrorResume(e -> Mono.empty())
              // The admin port closes on an event loop; closing the SDK clients blocks, so it moves
              // off it
              // (not onto this server's own scheduler, which it disposes).
              .then(
                  Mono.fromRunnable(this::releaseResources)
                      .subscribeOn(Schedulers.boundedElastic())
                      .then());
        });
  }

  /**
   * {@link #shutdown()} from a thread that may block (the CLI's, a test's); never an event loop.
   */
  @Override
  public void close() {
    shutdown().block(config.shutdownDeadline().plusSeconds(30));
  }

  private void releaseResources() {
    if (uploader != null) {
      uploader.close();
    }
    metrics.close();
    runtime.close();
    DataDirectoryLock lock = dataDirLock;
    if (lock != null) {
      lock.close();
    }
  }

  /**
   * Completes once {@code condition} holds, checking every 20 ms, or after {@code limit}
   * regardless.
   */
  private static Mono<Void> until(java.util.function.BooleanSupplier condition, Duration limit) {
    return Mono.fromCallable(condition::getAsBoolean)
        .filter(Boolean::booleanValue)
        .repeatWhenEmpty(checks -> checks.delayElements(Duration.ofMillis(20)))
        .timeout(limit, Mono.just(false))
        .then();
  }
}
