package io.segmenttransfer.controller;

import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.segmenttransfer.controller.completion.CompletionConfig;
import io.segmenttransfer.controller.completion.CompletionRoutes;
import io.segmenttransfer.controller.sync.DeepStoreSync;
import io.segmenttransfer.controller.sync.DeepStoreSyncTask;
import io.segmenttransfer.controller.sync.SyncStepObserver;
import io.segmenttransfer.controller.task.DeepStoreRepairTask;
import io.segmenttransfer.controller.task.PeriodicTasks;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.http.limits.HttpServerLimits;
import io.segmenttransfer.http.tls.ServerTls;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * A lightweight controller speaking the Pinot-compatible subset of docs/protocol.md over HTTP:
 * tables, segment upload (tar push), metadata, download, instances, ideal state and external view,
 * plus this project's extensions (metadata put, state reports, long-polled assignments), and runs
 * the periodic deep-store repair ({@code /periodictask}, {@link DeepStoreRepairTask}). State lives
 * in memory and in a {@link FileControllerStore} under {@code <dataDir>/state}; archives in the
 * configured deep store.
 *
 * <p>Threads: requests run on reactor-netty's event loops and never block them; state and
 * deep-store file I/O and archive inspection run on this controller's bounded-elastic scheduler.
 */
public final class EmbeddedController implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedController.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

  /** Threads for file I/O and archive inspection: a few per core, as for transfers. */
  private static final int IO_THREADS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

  private final ControllerConfig config;
  private final DisposableServer server;
  private final ControllerState state;
  private final Scheduler scheduler;
  private final ChannelGroup connections;
  private final PeriodicTasks tasks;
  private final DeepStoreSync sync;
  private final String baseUrl;

  private EmbeddedController(
      ControllerConfig config,
      DisposableServer server,
      ControllerState state,
      Scheduler scheduler,
      ChannelGroup connections,
      PeriodicTasks tasks,
      DeepStoreSync sync) {
    this.config = config;
    this.server = server;
    this.state = state;
    this.scheduler = scheduler;
    this.connections = connections;
    this.tasks = tasks;
    this.sync = sync;
    this.baseUrl =
        config.security().scheme()
            + "://"
            + hostForUrl(config.advertisedHost())
            + ":"
            + server.port();
  }

  /** Starts a controller with the local-file deep store, waiting until it listens. */
  public static EmbeddedController start(ControllerConfig config) {
    return create(config, List.of()).block(START_TIMEOUT);
  }

  /**
   * Loads the stored state and binds the HTTP server. Lazy: nothing happens until subscribed. Emits
   * the running controller; fails when the state cannot be loaded or the port bound.
   *
   * @param extraStores deep stores for other URI schemes (S3); {@code file} is always available
   */
  public static Mono<EmbeddedController> create(
      ControllerConfig config, List<SegmentStore> extraStores) {
    return create(config, extraStores, CompletionConfig.defaults(), Clock.systemUTC());
  }

  /**
   * The same, with the completion protocol's settings and the clock its elections and build
   * deadlines are measured with (tests pass one they move).
   */
  public static Mono<EmbeddedController> create(
      ControllerConfig config,
      List<SegmentStore> extraStores,
      CompletionConfig completion,
      Clock clock) {
    return create(config, extraStores, completion, clock, SyncStepObserver.NONE);
  }

  /** The same, with an observer of the deep-store sync's steps (crash tests). */
  static Mono<EmbeddedController> create(
      ControllerConfig config,
      List<SegmentStore> extraStores,
      CompletionConfig completion,
      Clock clock,
      SyncStepObserver syncObserver) {
    return Mono.defer(
        () -> {
          Scheduler scheduler = Schedulers.newBoundedElastic(IO_THREADS, 100_000, "controller-io");
          List<SegmentStore> all = new ArrayList<>(extraStores);
          all.add(new LocalFileSegmentStore(scheduler));
          SegmentStores stores = new SegmentStores(all);
          stores.forUri(
              config.deepStore()); // an unsupported scheme fails now, not at the first upload
          ControllerStore store =
              new FileControllerStore(config.dataDir().resolve("state"), scheduler);
          return ControllerState.load(store)
              .flatMap(
                  state ->
                      bind(config, stores, state, scheduler, completion, clock, syncObserver)
                          .doOnError(e -> state.close()))
              .doOnError(e -> scheduler.dispose());
        });
  }

  private static Mono<EmbeddedController> bind(
      ControllerConfig config,
      SegmentStores stores,
      ControllerState state,
      Scheduler scheduler,
      CompletionConfig completionConfig,
      Clock clock,
      SyncStepObserver syncObserver) {
    AtomicReference<String> baseUrl = new AtomicReference<>();
    ArchiveJanitor janitor = new ArchiveJanitor(stores);
    DownloadUrls downloadUrls = new DownloadUrls(baseUrl::get);
    SegmentUpload upload =
        new SegmentUpload(
            state,
            stores,
            config.deepStore(),
            config.archiveLimits(),
            scheduler,
            downloadUrls,
            Clock.systemUTC(),
            janitor);
    TableRoutes tables = new TableRoutes(state, janitor, Clock.systemUTC());
    SchemaRoutes schemas = new SchemaRoutes(state, Clock.systemUTC());
    SegmentRoutes segments = new SegmentRoutes(state, janitor, upload, new SegmentDownload(stores));
    InstanceRoutes instances =
        new InstanceRoutes(
            state, config.maxLongPoll(), new InstanceSessions(clock, config.instanceSession()));
    CompletionRoutes completion =
        CompletionRoutes.create(
            state,
            stores,
            config.deepStore(),
            downloadUrls,
            config.archiveLimits(),
            scheduler,
            completionConfig,
            clock);
    DeepStoreSync sync =
        new DeepStoreSync(
            state,
            stores,
            config.deepStore(),
            downloadUrls,
            janitor,
            scheduler,
            Clock.systemUTC(),
            config.dataDir(),
            config.deepStoreSync(),
            syncObserver,
            config.security());
    // Runs cut short by a crash leave work directories; nothing runs yet (this is the I/O
    // scheduler, which may block).
    sync.sweepWorkRoot();
    PeriodicTasks tasks =
        new PeriodicTasks(
            List.of(
                new DeepStoreRepairTask(
                    new StateRepairCatalog(state, downloadUrls, janitor),
                    config.deepStoreRepair(),
                    config.security()),
                new DeepStoreSyncTask(sync, state)),
            Schedulers.parallel());
    PeriodicTaskRoutes periodic = new PeriodicTaskRoutes(state, tasks);
    SyncRoutes syncRoutes = new SyncRoutes(state, sync);
    // Tracking connections lets close() end them instead of leaving long polls dangling.
    ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    HttpServerRoutes routes = HttpServerRoutes.newRoutes();
    tables.register(routes);
    schemas.register(routes);
    segments.register(routes);
    instances.register(routes);
    completion.register(routes);
    periodic.register(routes);
    syncRoutes.register(routes);
    return HttpServerLimits.apply(
            ServerTls.secure(config.security().listener(), HttpServer.create()),
            config.listenerLimits())
        .host(config.bindHost())
        .port(config.port())
        .channelGroup(connections)
        .handle(ControllerAccess.guard(config, routes))
        .bind()
        .map(
            server -> {
              EmbeddedController controller =
                  new EmbeddedController(
                      config, server, state, scheduler, connections, tasks, sync);
              baseUrl.set(controller.baseUrl());
              tasks.start();
              LOG.info(
                  "controller listening on {}, deep store {}",
                  controller.baseUrl(),
                  config.deepStore());
              return controller;
            });
  }

  /** The port it listens on (the chosen one when configured with 0). */
  public int port() {
    return server.port();
  }

  /** {@code http://<advertised host>:<port>}, the prefix of every download URL it hands out. */
  public String baseUrl() {
    return baseUrl;
  }

  public URI deepStore() {
    return config.deepStore();
  }

  public ControllerConfig config() {
    return config;
  }

  /** The state, for tests in this package that watch it. */
  ControllerState state() {
    return state;
  }

  /** Completes when the server has stopped. */
  public Mono<Void> onDispose() {
    return server.onDispose();
  }

  /**
   * Stops: pending long polls are answered 503, the server stops listening and closes its
   * connections, the I/O threads end. Every acknowledged change is already on disk, so there is
   * nothing to flush. Blocks up to a few seconds; do not call it on an event loop.
   */
  @Override
  public void close() {
    tasks.close();
    sync.close();
    state.close();
    try {
      server.disposeNow(STOP_TIMEOUT);
    } catch (IllegalStateException e) {
      LOG.warn("controller did not stop within {}: {}", STOP_TIMEOUT, e.getMessage());
      connections.close();
    } finally {
      scheduler.dispose();
    }
  }

  /** Stops abruptly, as a crash would: connections cut, nothing answered, nothing waited for. */
  void halt() {
    tasks.close();
    sync.halt();
    connections.close();
    server.dispose();
    state.close();
    scheduler.dispose();
  }

  private static String hostForUrl(String host) {
    return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
  }
}
