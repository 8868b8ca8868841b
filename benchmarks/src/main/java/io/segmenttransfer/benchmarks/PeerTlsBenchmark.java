package io.segmenttransfer.benchmarks;

import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.http.tls.ClientSecurity;
import io.segmenttransfer.http.tls.SecuritySettings;
import io.segmenttransfer.http.tls.ServerTlsConfig;
import io.segmenttransfer.http.tls.TestCertificates;
import io.segmenttransfer.http.tls.TlsEngine;
import io.segmenttransfer.peer.HttpSegmentStore;
import io.segmenttransfer.peer.HttpStoreConfig;
import io.segmenttransfer.server.daemon.SegmentServer;
import io.segmenttransfer.server.daemon.ServerSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;

/**
 * Peer download throughput of one segment archive over plain HTTP, over TLS with the OpenSSL engine
 * (netty-tcnative BoringSSL) and over TLS with the JDK's engine, in the same run: three server
 * daemons on loopback hold the same segment (replication 3 from one plain controller), one serves
 * its admin port in plain HTTP, one over TLS with OpenSSL, one over TLS with the JDK engine; the
 * reader is the daemon's own {@link HttpSegmentStore} (with the matching client engine), reading
 * the whole archive from byte 0 and counting the bytes (no extraction, so the transport is what is
 * measured). One unrecorded warm-up read per way (it also makes the peer cache its archive), then
 * {@code runs} rounds with the order of the ways alternating; reported: median and best MB/s per
 * way, each TLS way against plain, and the load average before and after.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.segmenttransfer.benchmarks.PeerTlsBenchmark \
 *     [--mib 160] [--runs 7] [--work /tmp/peer-tls]
 * </pre>
 */
public final class PeerTlsBenchmark {

  private static final Duration TIMEOUT = Duration.ofMinutes(3);
  private static final List<String> WAYS = List.of("plain", "tls-openssl", "tls-jdk");

  private PeerTlsBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    long mib = Long.parseLong(options.getOrDefault("mib", "160"));
    int runs = Integer.parseInt(options.getOrDefault("runs", "7"));
    Path work = Path.of(options.getOrDefault("work", "/tmp/peer-tls-benchmark"));
    Directories.deleteRecursively(work);
    Files.createDirectories(work);
    try {
      run(mib, runs, work);
    } finally {
      Directories.deleteRecursively(work);
    }
    // reactor-netty's non-daemon threads must not keep the JVM alive.
    System.exit(0);
  }

  private static void run(long mib, int runs, Path work) throws Exception {
    double loadBefore = MachineInfo.loadAverage();
    CachedArchive archive =
        ArchiveCache.defaultLocation().archive(SegmentSpec.ofMebibytes(mib, 1), Codec.GZIP);
    System.out.printf(
        "segment %s: %,d bytes uncompressed, archive %,d bytes (tar.gz)%n",
        archive.spec().segmentName(), archive.uncompressedBytes(), archive.archiveBytes());
    Path certs = Files.createDirectories(work.resolve("certs"));
    TestCertificates.Authority ca = TestCertificates.authority(certs, "bench-ca");
    EmbeddedController controller =
        EmbeddedController.start(ControllerConfig.defaults(work.resolve("controller")).withPort(0));
    List<SegmentServer> servers = new ArrayList<>();
    try {
      ControllerClient client = ControllerClient.create(controller.baseUrl());
      SegmentId segment = archive.spec().segmentId();
      client.createTable(archive.spec().table(), WAYS.size()).block(TIMEOUT);
      Map<String, SegmentServer> byWay = new LinkedHashMap<>();
      for (String way : WAYS) {
        TestCertificates.Pem pem = ca.issue(certs, way, way, "127.0.0.1");
        Optional<ServerTlsConfig> tls =
            way.equals("plain")
                ? Optional.empty()
                : Optional.of(
                    ServerTlsConfig.pem(pem.certificate(), pem.key()).withEngine(engine(way)));
        SegmentServer server =
            SegmentServer.start(
                    ServerSettings.fromFile(null)
                        .override("controller", controller.baseUrl())
                        .override("dataDir", work.resolve(way))
                        .override("adminPort", 0)
                        .override("instanceId", "Server_" + way)
                        .override("longPoll", "2s")
                        .toConfig()
                        .withSecurity(new SecuritySettings(tls, ClientSecurity.none())))
                .block(TIMEOUT);
        servers.add(server);
        byWay.put(way, server);
      }
      client.uploadSegment(archive.spec().table(), archive.file()).block(TIMEOUT);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (online(client, segment) < WAYS.size()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(segment + " did not come ONLINE on every server");
        }
        Thread.sleep(100);
      }
      Map<String, HttpSegmentStore> stores = new LinkedHashMap<>();
      Map<String, URI> uris = new LinkedHashMap<>();
      for (String way : WAYS) {
        ClientSecurity security =
            way.equals("plain")
                ? ClientSecurity.none()
                : ClientSecurity.none().withTrust(ca.certificate()).withEngine(engine(way));
        stores.put(way, HttpSegmentStore.create(HttpStoreConfig.defaults().withSecurity(security)));
        uris.put(
            way,
            URI.create(
                byWay.get(way).baseUrl()
                    + "/segments/"
                    + segment.table()
                    + "/"
                    + segment.segmentName()));
      }
      Map<String, Long> sizes = new LinkedHashMap<>();
      for (String way : WAYS) {
        sizes.put(way, read(stores.get(way), uris.get(way))[0]); // warm-up, and the peer's cache
      }
      System.out.printf("served archive sizes: %s%n", sizes);
      Map<String, List<Double>> rates = new LinkedHashMap<>();
      WAYS.forEach(way -> rates.put(way, new ArrayList<>()));
      for (int run = 1; run <= runs; run++) {
        List<String> order = new ArrayList<>(WAYS);
        if (run % 2 == 0) {
          Collections.reverse(order);
        }
        for (String way : order) {
          long[] result = read(stores.get(way), uris.get(way));
          if (result[0] != sizes.get(way)) {
            throw new IllegalStateException(
                way + " read " + result[0] + " bytes, expected " + sizes.get(way));
          }
          double mbPerSecond = result[0] / 1e6 / (result[1] / 1e9);
          rates.get(way).add(mbPerSecond);
          System.out.printf("run %d %-12s %8.1f MB/s%n", run, way, mbPerSecond);
        }
      }
      double loadAfter = MachineInfo.loadAverage();
      System.out.println();
      System.out.println("machine: " + MachineInfo.current());
      System.out.printf("load average (1 min): %.2f before, %.2f after%n", loadBefore, loadAfter);
      double plain = median(rates.get("plain"));
      for (String way : WAYS) {
        double median = median(rates.get(way));
        System.out.printf(
            "%-12s median %8.1f MB/s, best %8.1f MB/s, %5.1f%% of plain%n",
            way, median, Collections.max(rates.get(way)), 100 * median / plain);
      }
      stores.values().forEach(HttpSegmentStore::close);
    } finally {
      servers.forEach(SegmentServer::close);
      controller.close();
    }
  }

  private static TlsEngine engine(String way) {
    return way.equals("tls-jdk") ? TlsEngine.JDK : TlsEngine.OPENSSL;
  }

  /** Reads the whole archive; returns {bytes, nanos}. */
  private static long[] read(HttpSegmentStore store, URI uri) {
    AtomicLong bytes = new AtomicLong();
    long start = System.nanoTime();
    store
        .read(uri, 0)
        .doOnNext(buffer -> bytes.addAndGet(buffer.remaining()))
        .then()
        .block(TIMEOUT);
    return new long[] {bytes.get(), System.nanoTime() - start};
  }

  private static int online(ControllerClient client, SegmentId segment) {
    return client
        .externalView(segment.table().rawName())
        .map(view -> view.onlineInstances(segment).size())
        .onErrorResume(SourceNotFoundException.class, e -> Mono.just(0))
        .block(TIMEOUT);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
