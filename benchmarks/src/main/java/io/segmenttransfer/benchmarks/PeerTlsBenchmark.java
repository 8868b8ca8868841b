package io.segmenttransfer.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.ssl.SslHandler;
import io.segmenttransfer.http.tls.ClientSecurity;
import io.segmenttransfer.peer.HttpSegmentStore;
import io.segmenttransfer.peer.HttpStoreConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSession;
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
 * median and best MB/s per way, each TLS way against plain, CPU seconds per GB read, and the load
 * average before and after; last, the same as one JSON line.
 *
 * <p>With {@code --split-cores} (the default) the serving side ({@link PeerTlsServing}: controller
 * and daemons) runs in a child JVM pinned to CPU 0 and the reader in a JVM pinned to CPU 1 ({@code
 * taskset}), as peers on two machines would not share a core; CPU per GB is then reported for each
 * JVM, the serving one reporting its own. Where {@code taskset} cannot pin, it says so and runs as
 * {@code --shared-cores}: everything in this one JVM on the machine's cores, CPU per GB for both
 * ends together.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.segmenttransfer.benchmarks.PeerTlsBenchmark \
 *     [--mib 160] [--runs 7] [--repeat 3] [--warmup 30] [--ways plain,tls-openssl,tls-jdk] [--work /tmp/peer-tls]
 *     [--split-cores | --shared-cores]
 * </pre>
 */
public final class PeerTlsBenchmark {

  /**
   * Options of both pinned JVMs: pinned to one CPU a JVM would pick the serial collector; the
   * daemons and readers users run have more cores and G1.
   */
  static final List<String> CHILD_JVM_OPTIONS = List.of("-XX:+UseG1GC");

  private static final Duration TIMEOUT = Duration.ofMinutes(3);
  private static final List<String> WAYS = List.of("plain", "tls-openssl", "tls-jdk");
  private static final String READER_ROLE = "--reader-on-cpu-1";
  private static final List<String> FLAGS = List.of("--split-cores", "--shared-cores", READER_ROLE);

  private PeerTlsBenchmark() {}

  /** What a run is told: sizes, counts, the ways, where to work and whether to split the cores. */
  record Options(
      long mib, int runs, int repeat, int warmup, List<String> ways, Path work, boolean split) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    List<String> flags = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (FLAGS.contains(args[i])) {
        flags.add(args[i]);
      } else if (args[i].startsWith("--") && i + 1 < args.length) {
        options.put(args[i].substring(2), args[++i]);
      } else {
        throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    List<String> ways = List.of(options.getOrDefault("ways", String.join(",", WAYS)).split(","));
    Options run =
        new Options(
            Long.parseLong(options.getOrDefault("mib", "160")),
            Integer.parseInt(options.getOrDefault("runs", "7")),
            Integer.parseInt(options.getOrDefault("repeat", "3")),
            Integer.parseInt(options.getOrDefault("warmup", "30")),
            ways,
            Path.of(options.getOrDefault("work", "/tmp/peer-tls-benchmark")),
            !flags.contains("--shared-cores"));
    if (!WAYS.containsAll(ways) || ways.isEmpty() || run.repeat() < 1 || run.warmup() < 1) {
      throw new IllegalArgumentException(
          "--ways takes a comma-separated subset of "
              + WAYS
              + ", --repeat and --warmup positive counts");
    }
    String note = "";
    if (run.split() && !flags.contains(READER_ROLE)) {
      String cannotPin = cannotPin();
      if (cannotPin.isEmpty()) {
        System.exit(readerOnCpu1(args));
      }
      note = cannotPin + ": both ends share the cores (as --shared-cores)";
      System.out.println("note: " + note);
      run = new Options(run.mib(), run.runs(), run.repeat(), run.warmup(), ways, run.work(), false);
    }
    Directories.deleteRecursively(run.work());
    Files.createDirectories(run.work());
    int exit = 0;
    try {
      run(run, note);
    } catch (Exception | Error e) {
      e.printStackTrace();
      exit = 1;
    } finally {
      Directories.deleteRecursively(run.work());
    }
    // reactor-netty's non-daemon threads must not keep the JVM alive, after a failure either.
    System.exit(exit);
  }

  /** Why the ends cannot be pinned to CPUs 0 and 1 with {@code taskset}; empty when they can. */
  private static String cannotPin() {
    for (String cpu : List.of("0", "1")) {
      try {
        Process probe =
            new ProcessBuilder("taskset", "-c", cpu, "true").redirectErrorStream(true).start();
        String said = new String(probe.getInputStream().readAllBytes()).strip();
        if (probe.waitFor() != 0) {
          return "taskset -c " + cpu + " failed (" + said + ")";
        }
      } catch (IOException e) {
        return "taskset is missing (" + e.getMessage() + ")";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted while checking taskset";
      }
    }
    return "";
  }

  /**
   * Runs this benchmark again as the reader, in a JVM pinned to CPU 1 (which pins the serving JVM
   * to CPU 0), its output this JVM's; returns its exit code.
   */
  private static int readerOnCpu1(String[] args) throws IOException, InterruptedException {
    List<String> arguments = new ArrayList<>(List.of(args));
    arguments.add(READER_ROLE);
    List<String> command = new ArrayList<>(List.of("taskset", "-c", "1"));
    command.addAll(JavaChild.classCommand(PeerTlsBenchmark.class, CHILD_JVM_OPTIONS, arguments));
    Process reader = new ProcessBuilder(command).inheritIO().start();
    // Stopped (e.g. by timeout), take the reader along: its serving child ends with it.
    Runtime.getRuntime().addShutdownHook(new Thread(reader::destroy));
    return reader.waitFor();
  }

  private static void run(Options options, String note) throws Exception {
    double loadBefore = MachineInfo.loadAverage();
    if (options.split()) {
      try (ServingChild serving =
          ServingChild.start(
              List.of("taskset", "-c", "0"), options.mib(), options.ways(), options.work())) {
        System.out.println("serving JVM on CPU 0, reader JVM on CPU 1");
        measure(
            options, serving.uris(), serving.caCertificate(), serving::cpuNanos, loadBefore, note);
      }
    } else {
      try (PeerTlsServing serving =
          PeerTlsServing.start(options.mib(), options.ways(), options.work())) {
        System.out.println("serving and reading in one JVM on the shared cores");
        measure(options, serving.uris(), serving.caCertificate(), null, loadBefore, note);
      }
    }
  }

  /** The serving JVM's CPU nanoseconds, when it is not this one. */
  interface ServerCpu {
    long nanos() throws IOException;
  }

  private static void measure(
      Options options,
      Map<String, URI> uris,
      Path ca,
      ServerCpu serverCpu,
      double loadBefore,
      String note)
      throws IOException {
    List<String> ways = options.ways();
    Map<String, HttpSegmentStore> stores = new LinkedHashMap<>();
    Map<String, ClientSecurity> securities = new LinkedHashMap<>();
    for (String way : ways) {
      ClientSecurity security =
          way.equals("plain")
              ? ClientSecurity.none()
              : ClientSecurity.none().withTrust(ca).withEngine(PeerTlsServing.engine(way));
      securities.put(way, security);
      stores.put(way, HttpSegmentStore.create(HttpStoreConfig.defaults().withSecurity(security)));
    }
    try {
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
      for (int i = 1; i < options.warmup(); i++) {
        for (String way : ways) {
          check(way, read(stores.get(way), uris.get(way)), sizes.get(way));
        }
      }
      System.out.printf("served archive sizes: %s%n", sizes);
      Map<String, WayFigures> figures = new LinkedHashMap<>();
      ways.forEach(way -> figures.put(way, new WayFigures()));
      for (int run = 1; run <= options.runs(); run++) {
        List<String> order = new ArrayList<>(ways);
        if (run % 2 == 0) {
          Collections.reverse(order);
        }
        for (String way : order) {
          long bytes = 0;
          long serverBefore = serverCpu == null ? 0 : serverCpu.nanos();
          long readerBefore = PeerTlsServing.processCpuNanos();
          long start = System.nanoTime();
          for (int i = 0; i < options.repeat(); i++) {
            bytes += check(way, read(stores.get(way), uris.get(way)), sizes.get(way));
          }
          long nanos = System.nanoTime() - start;
          double gb = bytes / 1e9;
          double readerCpu = (PeerTlsServing.processCpuNanos() - readerBefore) / 1e9 / gb;
          WayFigures way1 = figures.get(way);
          way1.bytes.add(bytes);
          way1.mbPerSecond.add(bytes / 1e6 / (nanos / 1e9));
          way1.readerCpu.add(readerCpu);
          if (serverCpu != null) {
            way1.serverCpu.add((serverCpu.nanos() - serverBefore) / 1e9 / gb);
            System.out.printf(
                "run %d %-12s %8.1f MB/s  CPU s/GB: server %5.2f, reader %5.2f%n",
                run, way, last(way1.mbPerSecond), last(way1.serverCpu), readerCpu);
          } else {
            System.out.printf(
                "run %d %-12s %8.1f MB/s  %5.2f CPU s/GB (both ends)%n",
                run, way, last(way1.mbPerSecond), readerCpu);
          }
        }
      }
      report(options, figures, sizes, loadBefore, MachineInfo.loadAverage(), note);
    } finally {
      stores.values().forEach(HttpSegmentStore::close);
    }
  }

  /** One way's timed rounds: bytes read (each read checked), MB/s, CPU seconds per GB. */
  private static final class WayFigures {
    final List<Long> bytes = new ArrayList<>();
    final List<Double> mbPerSecond = new ArrayList<>();
    final List<Double> readerCpu = new ArrayList<>();
    final List<Double> serverCpu = new ArrayList<>();
  }

  private static void report(
      Options options,
      Map<String, WayFigures> figures,
      Map<String, Long> sizes,
      double loadBefore,
      double loadAfter,
      String note)
      throws IOException {
    System.out.println();
    System.out.println("machine: " + MachineInfo.current());
    System.out.printf("load average (1 min): %.2f before, %.2f after%n", loadBefore, loadAfter);
    double plain =
        figures.containsKey("plain") ? median(figures.get("plain").mbPerSecond) : Double.NaN;
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("mode", options.split() ? "split-cores" : "shared-cores");
    json.put("note", note);
    json.put("runs", options.runs());
    json.put("repeat", options.repeat());
    json.put("warmup", options.warmup());
    json.put("loadAverage", List.of(loadBefore, loadAfter));
    json.put("machine", MachineInfo.current().asMap());
    Map<String, Object> byWay = new LinkedHashMap<>();
    for (Map.Entry<String, WayFigures> entry : figures.entrySet()) {
      String way = entry.getKey();
      WayFigures f = entry.getValue();
      double median = median(f.mbPerSecond);
      double best = Collections.max(f.mbPerSecond);
      String cpu =
          options.split()
              ? String.format(
                  "CPU median: server %5.2f s/GB, reader %5.2f s/GB",
                  median(f.serverCpu), median(f.readerCpu))
              : String.format("CPU (both ends) median %5.2f s/GB", median(f.readerCpu));
      System.out.printf(
          "%-12s median %8.1f MB/s, best %8.1f MB/s, %5.1f%% of plain; %s%n",
          way, median, best, 100 * median / plain, cpu);
      Map<String, Object> w = new LinkedHashMap<>();
      w.put("archiveBytes", sizes.get(way));
      w.put("bytesPerRound", f.bytes);
      w.put("mbPerSecond", f.mbPerSecond);
      w.put("medianMbPerSecond", median);
      w.put("bestMbPerSecond", best);
      w.put("medianShareOfPlain", median / plain);
      w.put("readerJvmCpuSecondsPerGb", f.readerCpu);
      if (options.split()) {
        w.put("serverJvmCpuSecondsPerGb", f.serverCpu);
      }
      byWay.put(way, w);
    }
    json.put("ways", byWay);
    // Last, one line: what JavaChild (and the smoke test) read.
    System.out.println(new ObjectMapper().writeValueAsString(json));
  }

  private static long check(String way, long read, long expected) {
    if (read != expected) {
      throw new IllegalStateException(way + " read " + read + " bytes, expected " + expected);
    }
    return read;
  }

  private static double last(List<Double> values) {
    return values.get(values.size() - 1);
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

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
