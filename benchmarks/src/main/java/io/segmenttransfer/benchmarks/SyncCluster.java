package io.segmenttransfer.benchmarks;

import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.api.TableConfig;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.controller.task.DeepStoreRepairConfig;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.server.daemon.SegmentServer;
import io.segmenttransfer.server.daemon.ServerSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * What the sync benchmark runs against, in this JVM on loopback: an {@link EmbeddedController}
 * whose local-directory deep store is a {@link TimedSegmentStore} (so a run's steps can be timed
 * from outside), and {@code replicas} {@link SegmentServer} daemons, each with its own data
 * directory, following the controller's assignment as they do in production.
 */
final class SyncCluster implements AutoCloseable {

  static final Duration START_TIMEOUT = Duration.ofMinutes(1);

  final Path root;
  final TimedSegmentStore store;
  final EmbeddedController controller;
  final ControllerClient client;
  final List<SegmentServer> servers;
  private final Scheduler storeScheduler;

  private SyncCluster(
      Path root,
      Scheduler storeScheduler,
      TimedSegmentStore store,
      EmbeddedController controller,
      List<SegmentServer> servers) {
    this.root = root;
    this.storeScheduler = storeScheduler;
    this.store = store;
    this.controller = controller;
    this.client = ControllerClient.create(controller.baseUrl());
    this.servers = servers;
  }

  /** Starts the controller and {@code replicas} servers under {@code root}. Blocking. */
  static SyncCluster start(Path root, int replicas) throws IOException {
    Files.createDirectories(root);
    Scheduler scheduler = Schedulers.newBoundedElastic(8, 10_000, "sync-bench-store");
    TimedSegmentStore store = new TimedSegmentStore(new LocalFileSegmentStore(scheduler));
    EmbeddedController controller = null;
    List<SegmentServer> servers = new ArrayList<>();
    try {
      // No scheduled deep-store repair or sync: nothing runs behind the benchmark's back.
      controller =
          EmbeddedController.create(
                  ControllerConfig.defaults(root.resolve("controller"))
                      .withPort(0)
                      .withDeepStoreRepair(
                          DeepStoreRepairConfig.defaults().withInterval(Duration.ZERO)),
                  List.of(store))
              .block(START_TIMEOUT);
      for (int i = 0; i < replicas; i++) {
        servers.add(
            SegmentServer.start(
                    ServerSettings.fromFile(null)
                        .override("controller", controller.baseUrl())
                        .override("dataDir", root.resolve("server-" + i))
                        .override("adminPort", 0)
                        .override("instanceId", "Server_sync_" + i)
                        .override("longPoll", "2s")
                        .toConfig())
                .block(START_TIMEOUT));
      }
      return new SyncCluster(root, scheduler, store, controller, servers);
    } catch (RuntimeException e) {
      servers.forEach(SegmentServer::close);
      if (controller != null) {
        controller.close();
      }
      scheduler.dispose();
      Directories.deleteRecursively(root);
      throw e;
    }
  }

  /** Posts the schema, then creates the table with {@code config}. */
  void createTable(EventsTableDocs docs) {
    client.putSchema(docs.schema()).block(START_TIMEOUT);
    client.createTable(TableConfig.parse(docs.builtWith())).block(START_TIMEOUT);
  }

  /** Pushes an archive; the controller names the segment from it. */
  void push(TableNameWithType table, Path archive, Duration timeout) {
    client.uploadSegment(table, archive).block(timeout);
  }

  /** Waits until every server reports {@code segment} ONLINE; polls the external view. */
  void awaitOnline(SegmentId segment, Duration timeout) {
    for (SegmentServer server : servers) {
      Mono.defer(() -> client.externalView(segment.table().rawName()))
          .onErrorResume(SourceNotFoundException.class, e -> Mono.empty())
          .filter(view -> view.onlineInstances(segment).contains(server.instanceId()))
          .repeatWhenEmpty(checks -> checks.delayElements(Duration.ofMillis(100)))
          .block(timeout);
    }
  }

  @Override
  public void close() {
    servers.forEach(SegmentServer::close);
    controller.close();
    storeScheduler.dispose();
    Directories.deleteRecursively(root);
  }
}
