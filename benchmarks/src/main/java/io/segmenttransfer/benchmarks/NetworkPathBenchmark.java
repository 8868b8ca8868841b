package io.segmenttransfer.benchmarks;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.ExtractionRequest;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.layout.SegmentSwap;
import io.segmenttransfer.core.local.DataDirectoryConfig;
import io.segmenttransfer.core.local.SegmentDataDirectory;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.core.transfer.DownloadConfig;
import io.segmenttransfer.core.transfer.DownloadResult;
import io.segmenttransfer.core.transfer.PeerFinder;
import io.segmenttransfer.core.transfer.SegmentDownloader;
import io.segmenttransfer.core.transfer.TransferListener;
import io.segmenttransfer.peer.HttpSegmentStore;
import io.segmenttransfer.peer.HttpStoreConfig;
import io.segmenttransfer.peer.PeerSegmentHandler;
import io.segmenttransfer.peer.PeerServeConfig;
import io.segmenttransfer.s3.S3Config;
import io.segmenttransfer.s3.S3SegmentStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * The network path against a local file, through real sockets on loopback, in one run: this
 * project's pipeline ({@code SegmentDownloader}, as the {@code extract} command runs it) from a
 * file, from HTTP (a reactor-netty server sending the archive file, as a controller's download
 * does) and from S3 (S3Proxy in this JVM, filesystem backend), and Pinot's way: the archive
 * downloaded to a file with the JDK's {@code HttpClient} from the same HTTP server, then untarred
 * with commons-compress ({@link PinotUntar}) and moved into place.
 *
 * <p>The segment: by default a real Pinot segment ({@code --real-rows}, 1.7 M rows, about 120 MiB;
 * {@link RealSegments}: built with Pinot's own code, archived by Pinot with {@code --codec} gzip or
 * zstd), or with {@code --size MiB} a generated one ({@link ArchiveCache}).
 *
 * <p>Warm: {@code --warm N} rounds in this JVM (each way once per round, in turn; the first {@code
 * --warmup} rounds are not recorded). Cold: {@code --cold N} fresh processes per way: the runnable
 * jar's {@code extract} as a user runs it ({@code --jar}, default {@code
 * transfer-server/target/segment-transfer.jar}), with its class-data-sharing launcher and with it
 * off, after one unrecorded run per way that creates the launcher's archive; Pinot's way (and ours
 * with {@code --jar none}) as this class with {@code --child WAY URI}, building its clients from
 * nothing. Reported: the process's wall time (JVM start and exit included), the transfer's own time
 * (the jar's JSON {@code millis}, or the child's clients + transfer), and the load average. The
 * servers always run in this (parent) JVM, on their own event loops. Every run checks the segment
 * CRC.
 *
 * <p>{@code --cds true} (with {@code --jar none}): before the cold runs, one unrecorded run per way
 * writes a dynamic AppCDS archive ({@code -XX:ArchiveClassesAtExit}) that its cold runs then start
 * with, to show what class loading costs a fresh JVM. {@code -Dbench.childJvmArgs="..."} adds JVM
 * flags to every child; {@code -Dbench.trace=true} (also as a child flag) prints when the first and
 * last bytes arrived.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.segmenttransfer.benchmarks.NetworkPathBenchmark \
 *     [--real-rows 1700000 | --size 128] [--codec gzip|zstd] [--warmup 2] [--warm 8] [--cold 5]
 *     [--cds false]
 *     [--ways file,http,s3,peer,peer-tar,pinot] [--jar transfer-server/target/segment-transfer.jar|none]
 * </pre>
 */
public final class NetworkPathBenchmark {

  static final String FILE = "file";
  static final String HTTP = "http";
  static final String S3 = "s3";
  static final String PINOT = "pinot";
  static final String PEER = "peer";

  /**
   * The same peer endpoint, asked for the plain tar ({@code extract --peer-codec none}; in this JVM
   * and the benchmark's child, {@code ?codec=none}): no compression on the peer, twice the bytes.
   */
  static final String PEER_TAR = "peer-tar";

  /** Cold variants: this class as the child; the jar's extract with its launcher; without it. */
  static final String BENCH = "bench";

  static final String JAR = "jar";
  static final String JAR_PLAIN = "jar-plain";

  /** The real segment's default rows: about 120 MiB, {@code columns.psf} alone 120 MiB. */
  static final long REAL_ROWS = 1_700_000;

  /** The real segment's rows come from this seed, as {@code UntarReport}'s do. */
  static final long REAL_SEED = 1;

  private NetworkPathBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = parse(args);
    if (options.containsKey("child")) {
      System.exit(child(options));
    }
    run(options, RealSegments.defaultLocation());
  }

  /**
   * What one run measured, seconds per transfer: warm times by way, cold times by {@code
   * way/variant} (the transfer's own and the whole process's).
   */
  record Results(
      Map<String, List<Double>> warm,
      Map<String, List<Double>> coldOwn,
      Map<String, List<Double>> coldWall) {}

  /** Runs the benchmark the options describe, prints its report and returns what it measured. */
  static Results run(Map<String, String> options, RealSegments real) throws Exception {
    Codec codec = Codec.valueOf(options.getOrDefault("codec", "gzip").toUpperCase(Locale.ROOT));
    int warmup = Integer.parseInt(options.getOrDefault("warmup", "2"));
    int warm = Integer.parseInt(options.getOrDefault("warm", "8"));
    int cold = Integer.parseInt(options.getOrDefault("cold", "5"));
    boolean cds = Boolean.parseBoolean(options.getOrDefault("cds", "false"));
    Path jar = Path.of(options.getOrDefault("jar", "transfer-server/target/segment-transfer.jar"));
    boolean useJar = !options.getOrDefault("jar", "").equals("none") && Files.isRegularFile(jar);
    // Cold runs of this project's side: the command a user runs (java -jar ... extract), with its
    // launcher (relaunch with a class-data-sharing archive) and with it turned off; or, without the
    // jar, this class's own child.
    List<String> variants = useJar ? List.of(JAR, JAR_PLAIN) : List.of(BENCH);
    List<String> ways =
        Arrays.asList(
            options
                .getOrDefault("ways", String.join(",", FILE, HTTP, S3, PEER, PEER_TAR, PINOT))
                .split(","));

    NetworkPathSegment archive = segment(options, codec, real);
    System.out.printf(
        Locale.ROOT,
        "%s, %s: %.1f MiB, %.1f MiB uncompressed; %s; load %.2f%n",
        archive.description(),
        archive.file().getFileName(),
        archive.archiveBytes() / 1048576.0,
        archive.uncompressedBytes() / 1048576.0,
        MachineInfo.current(),
        MachineInfo.loadAverage());
    Path scratch = Files.createTempDirectory(BenchPaths.target(), "network-path-");
    LoopResources serverLoops = LoopResources.create("bench-http-server", 1, true);
    try (InProcessS3Server s3 = InProcessS3Server.start(scratch.resolve("s3"))) {
      DisposableServer http = archiveServer(archive.file(), serverLoops);
      Map<String, URI> uris = new LinkedHashMap<>();
      uris.put(FILE, archive.file().toUri());
      uris.put(
          HTTP,
          URI.create(
              "http://127.0.0.1:" + http.port() + "/segments/" + archive.file().getFileName()));
      uris.put(PINOT, uris.get(HTTP));
      uris.put(S3, upload(s3, archive));
      PeerServer peer =
          ways.stream().anyMatch(NetworkPathBenchmark::isPeer)
              ? PeerServer.start(archive, scratch.resolve("peer"), serverLoops)
              : null;
      if (peer != null) {
        uris.put(PEER, peer.uri());
        uris.put(PEER_TAR, URI.create(peer.uri() + "?codec=none"));
      }
      try {
        hold(options, uris, s3.endpoint(), archive);
        Map<String, List<Double>> warmTimes =
            warm(ways, uris, s3.endpoint(), peer, archive, scratch, warmup, warm);
        Map<String, List<Double>> coldOwn = new LinkedHashMap<>();
        Map<String, List<Double>> coldWall = new LinkedHashMap<>();
        Map<String, List<Double>> coldLoad = new LinkedHashMap<>();
        Map<String, List<String>> childFlags = new LinkedHashMap<>();
        Path cdsDir = scratch.resolve("launcher-cds");
        Map<String, Double> firstRuns = new LinkedHashMap<>();
        if (useJar && cold > 0) {
          // The launcher's first run of each command creates its archive; measured apart.
          for (String way : ways) {
            if (!way.equals(PINOT)) {
              if (isPeer(way)) {
                peer.fresh();
              }
              double[] t =
                  jarRun(
                      jar,
                      true,
                      cdsDir,
                      jarSource(way, uris),
                      s3.endpoint(),
                      archive,
                      scratch.resolve("cold-" + way));
              firstRuns.put(way, t[1]);
              System.out.printf(
                  Locale.ROOT,
                  "cold %-5s first jar run (creates the launcher's archive): %.3f s (load %.2f)%n",
                  way,
                  t[1],
                  MachineInfo.loadAverage());
            }
          }
        }
        for (String way : ways) {
          childFlags.put(way, List.of());
          if (cds && cold > 0 && !useJar) {
            // One unrecorded run per way writes a dynamic AppCDS archive of the classes it loaded.
            Path jsa = scratch.resolve(way + ".jsa");
            if (isPeer(way)) {
              peer.fresh();
            }
            coldRun(
                way,
                uris.get(way),
                s3.endpoint(),
                archive,
                scratch.resolve("cold-" + way),
                List.of("-XX:ArchiveClassesAtExit=" + jsa));
            childFlags.put(way, List.of("-XX:SharedArchiveFile=" + jsa));
          }
        }
        for (int i = 0; i < cold; i++) {
          for (String way : ways) {
            for (String variant : way.equals(PINOT) ? List.of(BENCH) : variants) {
              if (isPeer(way)) {
                peer.fresh();
              }
              double[] t =
                  variant.equals(BENCH)
                      ? coldRun(
                          way,
                          uris.get(way),
                          s3.endpoint(),
                          archive,
                          scratch.resolve("cold-" + way),
                          childFlags.get(way))
                      : jarRun(
                          jar,
                          variant.equals(JAR),
                          cdsDir,
                          jarSource(way, uris),
                          s3.endpoint(),
                          archive,
                          scratch.resolve("cold-" + way));
              String key = coldKey(way, variant);
              double load = MachineInfo.loadAverage();
              coldOwn.computeIfAbsent(key, k -> new ArrayList<>()).add(t[0]);
              coldWall.computeIfAbsent(key, k -> new ArrayList<>()).add(t[1]);
              coldLoad.computeIfAbsent(key, k -> new ArrayList<>()).add(load);
              System.out.printf(
                  Locale.ROOT,
                  "cold %-5s %-9s run %d: %.3f s (process %.3f s, load %.2f)%n",
                  way,
                  variant,
                  i + 1,
                  t[0],
                  t[1],
                  load);
            }
          }
        }
        report(
            archive,
            ways,
            way -> way.equals(PINOT) ? List.of(BENCH) : variants,
            warmTimes,
            coldOwn,
            coldWall,
            coldLoad,
            firstRuns);
        return new Results(warmTimes, coldOwn, coldWall);
      } finally {
        http.disposeNow();
        if (peer != null) {
          peer.close();
        }
      }
    } finally {
      serverLoops.disposeLater().block(Duration.ofSeconds(10));
      Directories.deleteRecursively(scratch);
    }
  }

  /**
   * The segment to move: by default the real Pinot segment of {@code --real-rows} rows ({@value
   * #REAL_ROWS}, about 120 MiB, the size {@code UntarReport --parallel --real-rows} measures and
   * issue 13 was reported on), built by Pinot's own code unless cached; with {@code --size MiB} (or
   * {@code --real-rows 0}) a generated segment of that size instead.
   */
  static NetworkPathSegment segment(Map<String, String> options, Codec codec, RealSegments real) {
    if (options.containsKey("size") && options.containsKey("real-rows")) {
      throw new IllegalArgumentException(
          "--size (a generated segment) and --real-rows (a real one): give one of them");
    }
    long rows =
        options.containsKey("size")
            ? 0
            : Long.parseLong(options.getOrDefault("real-rows", Long.toString(REAL_ROWS)));
    if (rows > 0) {
      try {
        return NetworkPathSegment.real(real.archive(rows, REAL_SEED, codec));
      } catch (RuntimeException e) {
        throw new IllegalStateException(
            "could not build the real segment of "
                + rows
                + " rows"
                + (real.canBuild() ? "" : " (pinot-tools.jar is not built: package the reactor)")
                + "; --size MiB gives a generated segment instead: "
                + e.getMessage(),
            e);
      }
    }
    int sizeMiB = Integer.parseInt(options.getOrDefault("size", "128"));
    return NetworkPathSegment.generated(
        ArchiveCache.defaultLocation().archive(SegmentSpec.ofMebibytes(sizeMiB, 1), codec));
  }

  /**
   * {@code --hold SECONDS}: prints where each way's archive is served and waits, so a command can
   * be run (and profiled) by hand against the same servers before the measured rounds.
   */
  private static void hold(
      Map<String, String> options,
      Map<String, URI> uris,
      URI s3Endpoint,
      NetworkPathSegment archive)
      throws InterruptedException {
    if (!options.containsKey("hold")) {
      return;
    }
    uris.forEach((way, uri) -> System.out.printf(Locale.ROOT, "HOLD %s %s%n", way, uri));
    System.out.printf(
        Locale.ROOT,
        "HOLD table %s segment %s crc %d s3-endpoint %s (AWS_ACCESS_KEY_ID=%s"
            + " AWS_SECRET_ACCESS_KEY=%s)%n",
        archive.table(),
        archive.segmentName(),
        archive.crc(),
        s3Endpoint,
        InProcessS3Server.ACCESS_KEY,
        InProcessS3Server.SECRET_KEY);
    Thread.sleep(Long.parseLong(options.get("hold")) * 1000);
  }

  /**
   * GET and HEAD of {@code /segments/*}: the file, sent with {@code sendFile} (zero-copy), as a
   * controller serves it.
   */
  static DisposableServer archiveServer(Path file, LoopResources loops) throws IOException {
    String length = Long.toString(Files.size(file));
    return HttpServer.create()
        .host("127.0.0.1")
        .port(0)
        .runOn(loops)
        .route(
            routes ->
                routes
                    .head(
                        "/segments/{name}",
                        (request, response) ->
                            response.header(HttpHeaderNames.CONTENT_LENGTH, length).send())
                    .get(
                        "/segments/{name}",
                        (request, response) ->
                            response
                                .header(HttpHeaderNames.CONTENT_LENGTH, length)
                                .header(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream")
                                .sendFile(file)))
        .bindNow();
  }

  /**
   * A peer server, as the server daemon runs one: {@link PeerSegmentHandler} over a data directory
   * holding the segment. {@link #fresh()} before each transfer gives it an empty archive cache, so
   * every transfer pays for building the archive on the fly, as the first download of a segment
   * from a peer does.
   */
  private static final class PeerServer implements AutoCloseable {
    private final Path root;
    private final TableNameWithType table;
    private final Scheduler scheduler;
    private final SegmentDataDirectory segments;
    private final String segment;
    private final AtomicReference<PeerSegmentHandler> handler = new AtomicReference<>();
    private final DisposableServer server;
    private int generation;

    private PeerServer(NetworkPathSegment archive, Path root, LoopResources loops)
        throws Exception {
      this.root = root;
      this.segment = archive.segmentName();
      this.table = archive.table();
      this.scheduler = Schedulers.newBoundedElastic(8, 1000, "bench-peer");
      Path dataDir = root.resolve("data");
      try (Client client = new Client(List.of(), null)) {
        client.run(FILE, archive.file().toUri(), archive, dataDir);
      }
      segments =
          new SegmentDataDirectory(
              dataDir,
              null,
              DataDirectoryConfig.defaults(),
              scheduler,
              PeerFinder.NONE,
              null,
              TransferListener.NONE,
              SegmentSwap.StepObserver.NONE);
      fresh();
      server =
          HttpServer.create()
              .host("127.0.0.1")
              .port(0)
              .runOn(loops)
              .route(
                  routes ->
                      routes
                          .head(
                              PeerSegmentHandler.PATH,
                              (request, response) -> handler.get().handle(request, response))
                          .get(
                              PeerSegmentHandler.PATH,
                              (request, response) -> handler.get().handle(request, response)))
              .bindNow();
    }

    static PeerServer start(NetworkPathSegment archive, Path root, LoopResources loops)
        throws Exception {
      return new PeerServer(archive, root, loops);
    }

    /** A new handler with an empty archive cache. Blocking. */
    void fresh() {
      Path cache = root.resolve("cache-" + generation++);
      handler.set(new PeerSegmentHandler(segments, PeerServeConfig.defaults(cache), scheduler));
      if (generation > 1) {
        Directories.deleteRecursively(root.resolve("cache-" + (generation - 2)));
      }
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + server.port() + "/segments/" + table + "/" + segment);
    }

    @Override
    public void close() {
      server.disposeNow();
      scheduler.dispose();
    }
  }

  private static URI upload(InProcessS3Server s3, NetworkPathSegment archive) throws IOException {
    {
      var client =
          software.amazon.awssdk.services.s3.S3AsyncClient.builder()
              .endpointOverride(s3.endpoint())
              .region(software.amazon.awssdk.regions.Region.US_EAST_1)
              .forcePathStyle(true)
              .credentialsProvider(
                  software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                      software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
                          InProcessS3Server.ACCESS_KEY, InProcessS3Server.SECRET_KEY)))
              .build();
      try (client) {
        client
            .createBucket(CreateBucketRequest.builder().bucket(InProcessS3Server.BUCKET).build())
            .join();
        String key = "segments/" + archive.file().getFileName();
        client
            .putObject(
                PutObjectRequest.builder().bucket(InProcessS3Server.BUCKET).key(key).build(),
                AsyncRequestBody.fromFile(archive.file()))
            .join();
        return InProcessS3Server.objectUri(key);
      }
    }
  }

  // ------------------------------------------------------------------ warm

  private static Map<String, List<Double>> warm(
      List<String> ways,
      Map<String, URI> uris,
      URI s3Endpoint,
      PeerServer peer,
      NetworkPathSegment archive,
      Path scratch,
      int warmup,
      int rounds)
      throws Exception {
    Map<String, List<Double>> times = new LinkedHashMap<>();
    try (Client client = new Client(List.of(HTTP, S3), s3Endpoint)) {
      for (int round = 0; round < warmup + rounds; round++) {
        for (String way : ways) {
          if (isPeer(way)) {
            peer.fresh();
          }
          Path dataDir = scratch.resolve("warm-" + way);
          double seconds = client.run(way, uris.get(way), archive, dataDir);
          Directories.deleteRecursively(dataDir);
          boolean recorded = round >= warmup;
          if (recorded) {
            times.computeIfAbsent(way, k -> new ArrayList<>()).add(seconds);
          }
          System.out.printf(
              Locale.ROOT,
              "warm %-5s round %d%s: %.3f s%n",
              way,
              round + 1,
              recorded ? "" : " (warm-up)",
              seconds);
        }
      }
    }
    return times;
  }

  // ------------------------------------------------------------------ cold

  private static double[] coldRun(
      String way,
      URI uri,
      URI s3Endpoint,
      NetworkPathSegment archive,
      Path dataDir,
      List<String> flags)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    String jvmArgs = System.getProperty("bench.childJvmArgs", "");
    if (!jvmArgs.isBlank()) {
      command.addAll(Arrays.asList(jvmArgs.trim().split("\\s+")));
    }
    command.addAll(flags);
    command.add(NetworkPathBenchmark.class.getName());
    command.addAll(
        List.of(
            "--child",
            way,
            "--uri",
            uri.toString(),
            "--s3",
            s3Endpoint.toString(),
            "--table",
            archive.table().toString(),
            "--crc",
            Long.toString(archive.crc()),
            "--segment",
            archive.segmentName(),
            "--to",
            dataDir.toString()));
    long started = System.nanoTime();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String own = null;
    StringBuilder output = new StringBuilder();
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        output.append(line).append('\n');
        if (line.startsWith("TRACE ")) {
          System.out.println("  " + line);
        }
        if (line.startsWith("SECONDS ")) {
          own = line.substring(8).trim();
        }
      }
    }
    int exit = process.waitFor();
    double wall = (System.nanoTime() - started) / 1e9;
    Directories.deleteRecursively(dataDir);
    if (exit != 0 || own == null) {
      throw new IllegalStateException(
          "cold " + way + " run failed (exit " + exit + "):\n" + output);
    }
    return new double[] {Double.parseDouble(own), wall};
  }

  /**
   * {@code java -jar segment-transfer.jar extract ... --json} in a fresh process, as a user runs
   * it: with its launcher (which relaunches it with a class-data-sharing archive under {@code
   * cdsDir}) or with {@code -Dsegment-transfer.cds=false}. Returns the transfer's own milliseconds
   * (from the JSON, as seconds) and the process's wall time.
   */
  private static double[] jarRun(
      Path jar,
      boolean launcher,
      Path cdsDir,
      List<String> source,
      URI s3Endpoint,
      NetworkPathSegment archive,
      Path dataDir)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add(launcher ? "-Dsegment-transfer.cds.dir=" + cdsDir : "-Dsegment-transfer.cds=false");
    command.addAll(List.of("-jar", jar.toString(), "extract"));
    command.addAll(source);
    command.addAll(
        List.of(
            "--to",
            dataDir.toString(),
            "--table",
            archive.table().toString(),
            "--segment",
            archive.segmentName(),
            "--expect-crc",
            Long.toString(archive.crc()),
            "--json"));
    if (source.get(1).startsWith("s3:")) {
      command.addAll(List.of("--s3-endpoint", s3Endpoint.toString(), "--s3-path-style"));
    }
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("AWS_ACCESS_KEY_ID", InProcessS3Server.ACCESS_KEY);
    builder.environment().put("AWS_SECRET_ACCESS_KEY", InProcessS3Server.SECRET_KEY);
    builder.environment().put("AWS_REGION", "us-east-1");
    long started = System.nanoTime();
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = process.waitFor();
    double wall = (System.nanoTime() - started) / 1e9;
    Directories.deleteRecursively(dataDir);
    java.util.regex.Matcher millis =
        java.util.regex.Pattern.compile("\"millis\":(\\d+)").matcher(output);
    if (exit != 0 || !millis.find()) {
      throw new IllegalStateException(
          "jar extract " + source + " failed (exit " + exit + "):\n" + output);
    }
    return new double[] {Long.parseLong(millis.group(1)) / 1e3, wall};
  }

  /**
   * What {@code extract} is told to read for a way: {@code --archive URI}, and for the plain-tar
   * peer the flag a user would give.
   */
  private static List<String> jarSource(String way, Map<String, URI> uris) {
    return way.equals(PEER_TAR)
        ? List.of("--archive", uris.get(PEER).toString(), "--peer-codec", "none")
        : List.of("--archive", uris.get(way).toString());
  }

  static boolean isPeer(String way) {
    return way.equals(PEER) || way.equals(PEER_TAR);
  }

  private static String coldKey(String way, String variant) {
    return way + "/" + variant;
  }

  private static int child(Map<String, String> options) throws Exception {
    long started = System.nanoTime();
    // As the command line's main does, unless the child's JVM flags say otherwise.
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      System.setProperty("io.netty.jfr.enabled", "false");
    }
    String way = options.get("child");
    URI uri = URI.create(options.get("uri"));
    long crc = Long.parseLong(options.get("crc"));
    String segment = options.get("segment");
    Path dataDir = Path.of(options.get("to"));
    List<String> stores = way.equals(PINOT) ? List.of() : List.of(isPeer(way) ? HTTP : way);
    long closing;
    try (Client client = new Client(stores, URI.create(options.get("s3")))) {
      client.run(way, uri, TableNameWithType.parse(options.get("table")), crc, segment, dataDir);
      closing = System.nanoTime();
    }
    if (Boolean.getBoolean("bench.trace")) {
      System.out.printf(
          Locale.ROOT,
          "TRACE %s: closing the clients took %.3f s%n",
          way,
          (System.nanoTime() - closing) / 1e9);
    }
    System.out.printf(Locale.ROOT, "SECONDS %.4f%n", (System.nanoTime() - started) / 1e9);
    return 0;
  }

  // ------------------------------------------------------------------ one transfer

  /**
   * What a command-line {@code extract} builds: the stores its locations need, the extractor, the
   * downloader.
   */
  private static final class Client implements AutoCloseable {
    private final Scheduler scheduler;
    private final List<SegmentStore> stores = new ArrayList<>();
    private final SegmentDownloader downloader;
    private HttpClient plain;
    private final boolean trace = Boolean.getBoolean("bench.trace");

    Client(List<String> storeKinds, URI s3Endpoint) {
      scheduler =
          Schedulers.newBoundedElastic(
              Math.max(4, 4 * Runtime.getRuntime().availableProcessors()), 10_000, "segment-io");
      if (storeKinds.contains(HTTP)) {
        stores.add(HttpSegmentStore.create(HttpStoreConfig.defaults()));
      }
      if (storeKinds.contains(S3) && s3Endpoint != null) {
        S3Config s3 = InProcessS3Server.clientConfig(s3Endpoint);
        // -Dbench.s3Parts=<part bytes>x<concurrency> to try other ranged-GET layouts; the store's
        // defaults otherwise.
        String parts = System.getProperty("bench.s3Parts");
        if (parts != null) {
          String[] p = parts.split("x");
          s3 = s3.withReadParts(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
        }
        stores.add(S3SegmentStore.create(s3));
      }
      List<SegmentStore> all = new ArrayList<>(stores);
      all.add(new LocalFileSegmentStore(scheduler));
      SegmentExtractor extractor =
          new SegmentExtractor(
              ExtractionConfig.defaults(),
              CrypterRegistry.fromConfig(io.segmenttransfer.core.crypto.CrypterConfig.defaults()),
              scheduler);
      downloader =
          new SegmentDownloader(
              extractor, new SegmentStores(all), PeerFinder.NONE, DownloadConfig.defaults());
    }

    double run(String way, URI uri, NetworkPathSegment archive, Path dataDir)
        throws IOException, InterruptedException {
      long started = System.nanoTime();
      run(way, uri, archive.table(), archive.crc(), archive.segmentName(), dataDir);
      return (System.nanoTime() - started) / 1e9;
    }

    void run(String way, URI uri, TableNameWithType table, long crc, String segment, Path dataDir)
        throws IOException, InterruptedException {
      if (way.equals(PINOT)) {
        pinot(uri, table, crc, segment, dataDir);
        return;
      }
      ExtractionRequest request =
          ExtractionRequest.of(dataDir, table).withSegmentName(segment).withExpectedCrc(crc);
      long[] marks = new long[4];
      long started = System.nanoTime();
      TransferListener listener =
          !trace
              ? TransferListener.NONE
              : event -> {
                if (event
                    instanceof io.segmenttransfer.core.transfer.TransferEvent.AttemptStarted) {
                  marks[0] = System.nanoTime();
                } else if (event
                    instanceof io.segmenttransfer.core.transfer.TransferEvent.Progress p) {
                  if (marks[1] == 0) {
                    marks[1] = System.nanoTime();
                  }
                  marks[2] = System.nanoTime();
                  marks[3]++;
                }
              };
      DownloadResult result =
          downloader.download(request, List.of(uri), listener).block(Duration.ofMinutes(5));
      if (trace) {
        System.out.printf(
            Locale.ROOT,
            "TRACE %s: attempt at %.3f s, first bytes at %.3f s, last at %.3f s, %d chunks, done %.3f s%n",
            way,
            (marks[0] - started) / 1e9,
            (marks[1] - started) / 1e9,
            (marks[2] - started) / 1e9,
            marks[3],
            (System.nanoTime() - started) / 1e9);
      }
      if (result == null || result.extraction().crc() != crc) {
        throw new IllegalStateException(way + ": wrong segment CRC");
      }
    }

    /**
     * Pinot's way: the whole archive to a file under the table's tmp directory, untarred, moved
     * into place.
     */
    private void pinot(URI uri, TableNameWithType table, long crc, String segment, Path dataDir)
        throws IOException, InterruptedException {
      if (plain == null) {
        plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      }
      Path tableDir = dataDir.resolve(table.toString());
      Path tmp = Files.createDirectories(tableDir.resolve("tmp"));
      Path file = tmp.resolve(segment + ".tar.gz");
      HttpResponse<Path> response =
          plain.send(
              HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofFile(file));
      if (response.statusCode() != 200) {
        throw new IOException("GET " + uri + ": " + response.statusCode());
      }
      Path untarDir = Files.createDirectories(tmp.resolve("untar"));
      PinotUntar.Result result = PinotUntar.untar(file, untarDir);
      if (result.crc() != crc) {
        throw new IllegalStateException("pinot: wrong segment CRC");
      }
      Files.move(result.segmentDir(), tableDir.resolve(segment));
      Files.delete(file);
      Directories.deleteRecursively(tmp);
    }

    @Override
    public void close() {
      for (SegmentStore store : stores) {
        if (store instanceof AutoCloseable closeable) {
          try {
            closeable.close();
          } catch (Exception ignored) {
            // Closing on the way out.
          }
        }
      }
      scheduler.dispose();
    }
  }

  // ------------------------------------------------------------------ report

  private static void report(
      NetworkPathSegment archive,
      List<String> ways,
      java.util.function.Function<String, List<String>> variants,
      Map<String, List<Double>> warm,
      Map<String, List<Double>> coldOwn,
      Map<String, List<Double>> coldWall,
      Map<String, List<Double>> coldLoad,
      Map<String, Double> firstRuns) {
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "Network path, %s, %s, %.1f MiB archive (%.1f MiB uncompressed), %s, %s%n",
        archive.description(),
        archive.codec(),
        archive.archiveBytes() / 1048576.0,
        archive.uncompressedBytes() / 1048576.0,
        MachineInfo.current(),
        Instant.now());
    System.out.println("| way | warm median s (min-max) |");
    System.out.println("|---|---|");
    for (String way : ways) {
      System.out.printf(Locale.ROOT, "| %s | %s |%n", describe(way), stats(warm.get(way)));
    }
    System.out.println();
    System.out.println(
        "| way | cold: how | whole process median s (min-max) | transfer (JSON millis) or the child's own time | load average |");
    System.out.println("|---|---|---|---|---|");
    for (String way : ways) {
      for (String variant : variants.apply(way)) {
        String key = coldKey(way, variant);
        System.out.printf(
            Locale.ROOT,
            "| %s | %s | %s | %s | %s |%n",
            describe(way),
            describeVariant(way, variant),
            stats(coldWall.get(key)),
            stats(coldOwn.get(key)),
            stats(coldLoad.get(key)));
      }
    }
    firstRuns.forEach(
        (way, seconds) ->
            System.out.printf(
                Locale.ROOT,
                "first jar run of %s, creating the launcher's archive: %.3f s%n",
                way,
                seconds));
    double fileWarm = median(warm.get(FILE));
    for (String way : List.of(HTTP, S3, PEER, PEER_TAR)) {
      if (ways.contains(way) && ways.contains(FILE)) {
        System.out.printf(
            Locale.ROOT,
            "%s / file, warm: %.2f (goal <= 1.15)%n",
            way,
            median(warm.get(way)) / fileWarm);
        for (String variant : variants.apply(way)) {
          System.out.printf(
              Locale.ROOT,
              "%s / file, cold %s: whole process %.2f, transfer %.2f (goal <= 1.15)%n",
              way,
              variant,
              median(coldWall.get(coldKey(way, variant)))
                  / median(coldWall.get(coldKey(FILE, variant))),
              median(coldOwn.get(coldKey(way, variant)))
                  / median(coldOwn.get(coldKey(FILE, variant))));
        }
      }
    }
    if (ways.contains(PINOT) && ways.contains(HTTP)) {
      System.out.printf(
          Locale.ROOT,
          "pinot / http, warm: %.2f (goal >= 2)%n",
          median(warm.get(PINOT)) / median(warm.get(HTTP)));
      for (String variant : variants.apply(HTTP)) {
        System.out.printf(
            Locale.ROOT,
            "pinot / http, cold %s, whole process: %.2f (goal >= 2)%n",
            variant,
            median(coldWall.get(coldKey(PINOT, BENCH)))
                / median(coldWall.get(coldKey(HTTP, variant))));
      }
    }
  }

  private static String describeVariant(String way, String variant) {
    return switch (variant) {
      case JAR -> "java -jar ... extract (launcher: CDS archive, C1)";
      case JAR_PLAIN -> "java -jar ... extract, launcher off";
      default -> way.equals(PINOT) ? "fresh JVM (benchmark class)" : "benchmark class as child";
    };
  }

  private static String describe(String way) {
    return switch (way) {
      case FILE -> "pipeline from a file";
      case HTTP -> "pipeline from HTTP";
      case S3 -> "pipeline from S3Proxy";
      case PINOT -> "Pinot: HTTP download to a file, then untar";
      case PEER -> "pipeline from a peer endpoint (archive built on the fly)";
      case PEER_TAR -> "pipeline from a peer endpoint, plain tar asked (--peer-codec none)";
      default -> way;
    };
  }

  private static String stats(List<Double> values) {
    if (values == null || values.isEmpty()) {
      return "";
    }
    return String.format(
        Locale.ROOT,
        "%.3f (%.3f-%.3f)",
        median(values),
        values.stream().mapToDouble(Double::doubleValue).min().orElse(0),
        values.stream().mapToDouble(Double::doubleValue).max().orElse(0));
  }

  static double median(List<Double> values) {
    if (values == null || values.isEmpty()) {
      return Double.NaN;
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "expected --name value pairs, got " + String.join(" ", args));
      }
      options.put(args[i].substring(2), args[++i]);
    }
    return options;
  }
}
