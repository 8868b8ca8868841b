package io.segmenttransfer.benchmarks;

import io.netty.handler.ssl.SslHandler;
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
import java.lang.management.ManagementFactory;
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
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSession;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Peer download throughput of one segment archive over plain HTTP, over TLS with the OpenSSL engine
 * (netty-tcnative BoringSSL) and over TLS with the JDK's engine, in the same run: three server
 * daemons on loopback hold the same segment (replication 3 from one plain controller), one serves
 * its admin port in plain HTTP, one over TLS with OpenSSL, one over TLS with the JDK engine; the
 * reader is the daemon's own {@link HttpSegmentStore} (with the matching client engine), reading
 * the whole archive from byte 0 and counting the bytes (no extraction, so the transport is what is
 * measured). {@code warmup} unrecorded reads per way first (the first also makes the peer cache its
 * archive; the others let the JIT compile both ends before anything is timed), then {@code runs}
 * rounds with the order of the ways alternating, each round reading the archive {@code repeat}
 * times back to back per way (a single read of 89 MB lasts a tenth of a second, shorter than the
 * swings of a shared machine); reported: the protocol and cipher suite each TLS way negotiates,
 * median and best MB/s per way, each TLS way against plain, the JVM's CPU seconds per GB read (both
 * ends run in this JVM, so it is what a way costs, which MB/s on a shared machine are not), and the
 * load average before and after.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.segmenttransfer.benchmarks.PeerTlsBenchmark \
 *     [--mib 160] [--runs 7] [--repeat 3] [--warmup 30] [--ways plain,tls-openssl,tls-jdk] [--work /tmp/peer-tls]
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
    int repeat = Integer.parseInt(options.getOrDefault("repeat", "3"));
    int warmup = Integer.parseInt(options.getOrDefault("warmup", "30"));
    List<String> ways = List.of(options.getOrDefault("ways", String.join(",", WAYS)).split(","));
    if (!WAYS.containsAll(ways) || ways.isEmpty() || repeat < 1 || warmup < 1) {
      throw new IllegalArgumentException(
          "--ways takes a comma-separated subset of "
              + WAYS
              + ", --repeat and --warmup positive counts");
    }
    Path work = Path.of(options.getOrDefault("work", "/tmp/peer-tls-benchmark"));
    Directories.deleteRecursively(work);
    Files.createDirectories(work);
    try {
      run(mib, runs, repeat, warmup, ways, work);
    } finally {
      Directories.deleteRecursively(work);
    }
    // reactor-netty's non-daemon threads must not keep the JVM alive.
    System.exit(0);
  }

  private static void run(long mib, int runs, int repeat, int warmup, List<String> ways, Path work)
      throws Exception {
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
      client.createTable(archive.spec().table(), ways.size()).block(TIMEOUT);
      Map<String, SegmentServer> byWay = new LinkedHashMap<>();
      for (String way : ways) {
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
      while (online(client, segment) < ways.size()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(segment + " did not come ONLINE on every server");
        }
        Thread.sleep(100);
      }
      Map<String, HttpSegmentStore> stores = new LinkedHashMap<>();
      Map<String, URI> uris = new LinkedHashMap<>();
      Map<String, ClientSecurity> securities = new LinkedHashMap<>();
      for (String way : ways) {
        ClientSecurity security =
            way.equals("plain")
                ? ClientSecurity.none()
                : ClientSecurity.none().withTrust(ca.certificate()).withEngine(engine(way));
        securities.put(way, security);
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
      for (String way : ways) {
        if (!way.equals("plain")) {
          System.out.printf(
              "%s negotiates %s%n", way, negotiated(securities.get(way), uris.get(way)));
        }
      }
      Map<String, Long> sizes = new LinkedHashMap<>();
      for (String way : ways) {
        sizes.put(way, read(stores.get(way), uris.get(way))); // the peer's cache
      }
      // Until C2 has compiled both ends' paths: with one warm-up read the compiler threads took
      // 35-40 % of the timed rounds' CPU (async-profiler), with 8 still a third, with 30 under 10
      // %.
      for (int i = 1; i < warmup; i++) {
        for (String way : ways) {
          read(stores.get(way), uris.get(way));
        }
      }
      System.out.printf("served archive sizes: %s%n", sizes);
      Map<String, List<Double>> rates = new LinkedHashMap<>();
      Map<String, List<Double>> cpu = new LinkedHashMap<>();
      ways.forEach(way -> rates.put(way, new ArrayList<>()));
      ways.forEach(way -> cpu.put(way, new ArrayList<>()));
      for (int run = 1; run <= runs; run++) {
        List<String> order = new ArrayList<>(ways);
        if (run % 2 == 0) {
          Collections.reverse(order);
        }
        for (String way : order) {
          long bytes = 0;
          long cpuBefore = processCpuNanos();
          long start = System.nanoTime();
          for (int i = 0; i < repeat; i++) {
            long read = read(stores.get(way), uris.get(way));
            if (read != sizes.get(way)) {
              throw new IllegalStateException(
                  way + " read " + read + " bytes, expected " + sizes.get(way));
            }
            bytes += read;
          }
          long nanos = System.nanoTime() - start;
          double cpuPerGb = (processCpuNanos() - cpuBefore) / 1e9 / (bytes / 1e9);
          double mbPerSecond = bytes / 1e6 / (nanos / 1e9);
          rates.get(way).add(mbPerSecond);
          cpu.get(way).add(cpuPerGb);
          System.out.printf(
              "run %d %-12s %8.1f MB/s  %5.2f CPU s/GB%n", run, way, mbPerSecond, cpuPerGb);
        }
      }
      double loadAfter = MachineInfo.loadAverage();
      System.out.println();
      System.out.println("machine: " + MachineInfo.current());
      System.out.printf("load average (1 min): %.2f before, %.2f after%n", loadBefore, loadAfter);
      double plain = rates.containsKey("plain") ? median(rates.get("plain")) : Double.NaN;
      for (String way : ways) {
        double median = median(rates.get(way));
        System.out.printf(
            "%-12s median %8.1f MB/s, best %8.1f MB/s, %5.1f%% of plain;"
                + " CPU (both ends) median %5.2f s/GB%n",
            way,
            median,
            Collections.max(rates.get(way)),
            100 * median / plain,
            median(cpu.get(way)));
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

  /** Reads the whole archive; returns the bytes read. */
  private static long read(HttpSegmentStore store, URI uri) {
    AtomicLong bytes = new AtomicLong();
    store
        .read(uri, 0)
        .doOnNext(buffer -> bytes.addAndGet(buffer.remaining()))
        .then()
        .block(TIMEOUT);
    return bytes.get();
  }

  /**
   * CPU time of the whole JVM: both ends of every transfer run here, so per byte it is the cost of
   * a way whatever else the machine runs (which the MB/s are not).
   */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The protocol and cipher suite a TLS way's client ends up with, and its engine. */
  private static String negotiated(ClientSecurity security, URI uri) {
    AtomicReference<String> seen = new AtomicReference<>("no TLS session");
    security
        .configure(HttpClient.create())
        .doOnResponse(
            (response, connection) -> {
              SslHandler ssl = connection.channel().pipeline().get(SslHandler.class);
              if (ssl != null) {
                SSLSession session = ssl.engine().getSession();
                seen.set(
                    session.getProtocol()
                        + " "
                        + session.getCipherSuite()
                        + " ("
                        + ssl.engine().getClass().getSimpleName()
                        + ")");
              }
            })
        .head()
        .uri(uri)
        .response()
        .block(TIMEOUT);
    return seen.get();
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
