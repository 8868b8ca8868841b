package io.segmenttransfer.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.segmenttransfer.server.daemon.SegmentServer;
import io.segmenttransfer.server.daemon.ServerSettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * The serving side of {@link PeerTlsBenchmark}: a plain controller and one {@code SegmentServer}
 * daemon per way (plain HTTP, TLS with OpenSSL, TLS with the JDK engine) holding the same generated
 * segment, its archive served from each daemon's admin port. Runs inside the benchmark's JVM
 * (shared cores) or, through {@link #main}, as a child JVM pinned to its own core that tells the
 * reader its URIs and, on request, its own CPU time.
 */
final class PeerTlsServing implements AutoCloseable {

  /** The line the child prints once serving: this prefix, then a JSON object. */
  static final String SERVING = "PEER-TLS-SERVING ";

  /** The child's answer to {@link #CPU_REQUEST}: this prefix, then its process CPU nanoseconds. */
  static final String CPU = "PEER-TLS-CPU ";

  static final String CPU_REQUEST = "cpu";

  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  private final EmbeddedController controller;
  private final List<SegmentServer> servers;
  private final Map<String, URI> uris;
  private final Path caCertificate;
  private final long archiveBytes;

  private PeerTlsServing(
      EmbeddedController controller,
      List<SegmentServer> servers,
      Map<String, URI> uris,
      Path caCertificate,
      long archiveBytes) {
    this.controller = controller;
    this.servers = servers;
    this.uris = uris;
    this.caCertificate = caCertificate;
    this.archiveBytes = archiveBytes;
  }

  /**
   * Starts the controller and one daemon per way under {@code work}, uploads the segment of {@code
   * mib} MiB and waits until every daemon holds it. Blocking.
   */
  static PeerTlsServing start(long mib, List<String> ways, Path work) throws Exception {
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
      Map<String, URI> uris = new LinkedHashMap<>();
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
        uris.put(
            way,
            URI.create(
                server.baseUrl() + "/segments/" + segment.table() + "/" + segment.segmentName()));
      }
      client.uploadSegment(archive.spec().table(), archive.file()).block(TIMEOUT);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (online(client, segment) < ways.size()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(segment + " did not come ONLINE on every server");
        }
        Thread.sleep(100);
      }
      return new PeerTlsServing(
          controller, servers, uris, ca.certificate(), archive.archiveBytes());
    } catch (Exception | Error e) {
      servers.forEach(SegmentServer::close);
      controller.close();
      throw e;
    }
  }

  static TlsEngine engine(String way) {
    return way.equals("tls-jdk") ? TlsEngine.JDK : TlsEngine.OPENSSL;
  }

  /** The archive's URI on the daemon of each way. */
  Map<String, URI> uris() {
    return uris;
  }

  /** The CA that issued every daemon's certificate (PEM), for the reader's trust. */
  Path caCertificate() {
    return caCertificate;
  }

  long archiveBytes() {
    return archiveBytes;
  }

  @Override
  public void close() {
    servers.forEach(SegmentServer::close);
    controller.close();
  }

  /** CPU time of this whole JVM, every thread of it. */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static int online(ControllerClient client, SegmentId segment) {
    return client
        .externalView(segment.table().rawName())
        .map(view -> view.onlineInstances(segment).size())
        .onErrorResume(SourceNotFoundException.class, e -> Mono.just(0))
        .block(TIMEOUT);
  }

  /**
   * The child JVM: {@code --mib N --ways a,b --work DIR}. Prints {@link #SERVING} with the URIs and
   * the CA once serving, answers each {@link #CPU_REQUEST} line on stdin with {@link #CPU}, and
   * stops when stdin ends (the reader closed it, or died).
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    long mib = Long.parseLong(options.get("mib"));
    List<String> ways = List.of(options.get("ways").split(","));
    Path work = Path.of(options.get("work"));
    try (PeerTlsServing serving = start(mib, ways, work)) {
      Map<String, Object> hello = new LinkedHashMap<>();
      Map<String, String> uris = new LinkedHashMap<>();
      serving.uris().forEach((way, uri) -> uris.put(way, uri.toString()));
      hello.put("uris", uris);
      hello.put("ca", serving.caCertificate().toString());
      hello.put("archiveBytes", serving.archiveBytes());
      System.out.println(SERVING + new ObjectMapper().writeValueAsString(hello));
      System.out.flush();
      BufferedReader commands =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line = commands.readLine(); line != null; line = commands.readLine()) {
        if (line.strip().equals(CPU_REQUEST)) {
          System.out.println(CPU + processCpuNanos());
          System.out.flush();
        }
      }
    }
    // reactor-netty's non-daemon threads must not keep the JVM alive.
    System.exit(0);
  }
}
