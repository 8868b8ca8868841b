package io.segmenttransfer.benchmarks;

import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.transfer.PeerFinder;
import io.segmenttransfer.peer.ExternalViewPeerFinder;
import io.segmenttransfer.peer.HttpSegmentStore;
import io.segmenttransfer.peer.HttpStoreConfig;
import io.segmenttransfer.peer.PeerDiscoveryConfig;
import io.segmenttransfer.server.daemon.SegmentServer;
import io.segmenttransfer.server.daemon.ServerSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import reactor.core.publisher.Mono;

/**
 * Segments held only by peers: an embedded controller and two server daemons on loopback, each
 * holding every segment (replication 2), and no deep-store copy (every segment's download URL is
 * {@code ""} and the controller's archives are deleted), so all bytes of a bootstrap come from the
 * peers' {@code GET /segments/{table}/{segment}}.
 *
 * <ul>
 *   <li>This project: {@link io.segmenttransfer.core.local.SegmentDataDirectory} with an {@link
 *       ExternalViewPeerFinder} (as the fresh server {@value #SELF}) and {@link HttpSegmentStore},
 *       streamed into the extractor.
 *   <li>Baseline, as Pinot's peer download: the ONLINE replicas from the same external view, then
 *       the archive from one of them over one HTTP connection to a local file, then untarred.
 * </ul>
 *
 * Before measuring, every segment is fetched once from each peer, so both implementations read
 * archives the peers have already built and cached (the first request of a segment builds its
 * tar.gz on the fly, which costs the peer a gzip compression).
 */
public final class PeerBootstrapSource implements BootstrapSource {

  /**
   * The bootstrapping server's instance id: not in the external view, so every replica is a peer.
   */
  public static final String SELF = "Server_bench_0";

  private static final int PEERS = 2;
  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private final Path root;
  private final EmbeddedController controller;
  private final ControllerClient client;
  private final List<SegmentServer> servers = new ArrayList<>();
  private final ExternalViewPeerFinder peerFinder;
  private final HttpSegmentStore http;
  private final HttpClient baseline =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  private PeerBootstrapSource(Path root) {
    this.root = root;
    this.controller =
        EmbeddedController.start(ControllerConfig.defaults(root.resolve("controller")).withPort(0));
    this.client = ControllerClient.create(controller.baseUrl());
    this.peerFinder =
        new ExternalViewPeerFinder(
            reactor.netty.http.client.HttpClient.create(),
            PeerDiscoveryConfig.of(URI.create(controller.baseUrl()), SELF));
    this.http = HttpSegmentStore.create(HttpStoreConfig.defaults());
  }

  /** Starts the controller and two servers, and creates the table with replication 2. Blocking. */
  public static PeerBootstrapSource start(Path root) {
    PeerBootstrapSource source = new PeerBootstrapSource(root);
    try {
      source.client.createTable(SegmentSpec.DEFAULT_TABLE, PEERS).block(TIMEOUT);
      for (int i = 1; i <= PEERS; i++) {
        source.servers.add(
            SegmentServer.start(
                    ServerSettings.fromFile(null)
                        .override("controller", source.controller.baseUrl())
                        .override("dataDir", root.resolve("peer-" + i))
                        .override("adminPort", 0)
                        .override("instanceId", "Server_peer_" + i)
                        .override("longPoll", "2s")
                        .toConfig())
                .block(TIMEOUT));
      }
    } catch (RuntimeException e) {
      source.close();
      throw e;
    }
    return source;
  }

  @Override
  public String name() {
    return "peers";
  }

  @Override
  public String description() {
    return "two peer server daemons on loopback, no deep-store copy (ours: ExternalViewPeerFinder + HttpSegmentStore; "
        + "baseline: one HTTP GET to a file)";
  }

  /**
   * Uploads the archive to the controller, waits until both peers hold it ONLINE, then makes it
   * peers-only: download URL {@code ""} and the controller's copy deleted. Returns {@code ""}.
   */
  @Override
  public String publish(CachedArchive archive) throws IOException {
    TableNameWithType table = archive.spec().table();
    SegmentId segment = archive.spec().segmentId();
    client.uploadSegment(table, archive.file()).block(TIMEOUT);
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (onlineReplicas(segment) < PEERS) {
      if (System.nanoTime() > deadline) {
        throw new IOException(
            segment + " did not come ONLINE on " + PEERS + " peers within " + TIMEOUT);
      }
      sleep(50);
    }
    SegmentMetadata metadata = client.metadata(segment).block(TIMEOUT);
    client
        .putMetadata(metadata.with(SegmentMetadata.DOWNLOAD_URL, SegmentMetadata.PEERS_ONLY))
        .block(TIMEOUT);
    try (Stream<Path> files =
        Files.walk(
            controller.config().dataDir().resolve(ControllerConfig.DEFAULT_DEEP_STORE_DIR))) {
      for (Path file :
          files
              .filter(p -> p.getFileName().toString().startsWith(segment.segmentName()))
              .toList()) {
        Files.delete(file);
      }
    }
    for (SegmentServer server : servers) {
      HttpResponse<Void> warm =
          send(
              URI.create(server.baseUrl() + "/segments/" + table + "/" + segment.segmentName()),
              HttpResponse.BodyHandlers.discarding());
      if (warm.statusCode() != 200) {
        throw new IOException(
            server.instanceId() + " answered " + warm.statusCode() + " for " + segment);
      }
    }
    return SegmentMetadata.PEERS_ONLY;
  }

  /**
   * ONLINE replicas in the external view; 0 while the view does not exist yet (no replica
   * reported).
   */
  private int onlineReplicas(SegmentId segment) {
    return client
        .externalView(segment.table().rawName())
        .map(view -> view.onlineInstances(segment).size())
        .onErrorResume(SourceNotFoundException.class, e -> Mono.just(0))
        .block(TIMEOUT);
  }

  @Override
  public List<SegmentStore> stores() {
    return List.of(http);
  }

  @Override
  public PeerFinder peers() {
    return peerFinder;
  }

  @Override
  public void fetchToFile(SegmentMetadata segment, Path target) throws IOException {
    List<URI> peers = peerFinder.findPeers(segment.segment()).block(TIMEOUT);
    if (peers == null || peers.isEmpty()) {
      throw new IOException("no ONLINE peer for " + segment.segment());
    }
    HttpResponse<Path> response = send(peers.get(0), HttpResponse.BodyHandlers.ofFile(target));
    if (response.statusCode() != 200) {
      throw new IOException(peers.get(0) + " answered " + response.statusCode());
    }
  }

  private <T> HttpResponse<T> send(URI uri, HttpResponse.BodyHandler<T> handler)
      throws IOException {
    try {
      return baseline.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(), handler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching " + uri, e);
    }
  }

  private static void sleep(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  @Override
  public void close() {
    servers.forEach(SegmentServer::close);
    controller.close();
    // The HTTP store is closed by the runtime that reads through it.
    Directories.deleteRecursively(root);
  }
}
