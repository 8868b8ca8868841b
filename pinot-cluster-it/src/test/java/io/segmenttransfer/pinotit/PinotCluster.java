package io.segmenttransfer.pinotit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A real Apache Pinot 0.11 cluster on 127.0.0.1 for tests: ZooKeeper and a controller as separate
 * JVMs, a placeholder broker instance registered through the controller (table creation wants a
 * broker tagged for the tenant; none has to run to push and load segments), and servers started and
 * stopped on demand. Every port is a free one picked at start; every file is under the cluster's
 * directory. Each start is bounded and fails with the role's log tail; {@link #close()} stops every
 * JVM this cluster started, also after a failed start.
 */
final class PinotCluster implements AutoCloseable {

  static final String NAME = "SegmentTransferIT";
  private static final Duration ZOOKEEPER_START = Duration.ofSeconds(60);
  // Generous: the 2-core machine is shared with other builds; a start takes ~25 s when idle.
  private static final Duration ROLE_START = Duration.ofSeconds(240);
  private static final int HEAP_MIB = 256;
  private static final String ADMIN = "org.apache.pinot.tools.admin.PinotAdministrator";

  /** A Pinot server of this cluster: its identity, ports and files, whether running or not. */
  record Server(
      String instanceId, int nettyPort, int adminPort, Path dataDir, Path config, Path dir) {
    URI adminUrl() {
      return URI.create("http://127.0.0.1:" + adminPort);
    }
  }

  private final Path dir;
  private final Path lib;
  private final Path log4j;
  // HTTP/1.1: the JDK client's default HTTP/2 upgrade request left Pinot's Grizzly server waiting
  // for a POST body until it timed out (500 TimeoutException on POST /schemas).
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final List<PinotProcess> processes = new ArrayList<>();
  private int controllerPort;
  private int zkPortForServers;
  private int starts;

  private PinotCluster(Path dir, Path lib, Path log4j) {
    this.dir = dir;
    this.lib = lib;
    this.log4j = log4j;
  }

  /** Starts ZooKeeper and the controller, and registers the placeholder broker. */
  static PinotCluster start(Path dir) {
    Path lib = PinotLib.directory();
    Path log4j = copyResource("log4j2.xml", dir);
    PinotCluster cluster = new PinotCluster(dir, lib, log4j);
    try {
      int zkPort = cluster.startZooKeeper();
      cluster.startController(zkPort);
      cluster.registerPlaceholderBroker();
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  String controllerUrl() {
    return "http://127.0.0.1:" + controllerPort;
  }

  Path controllerDataDir() {
    return dir.resolve("controller").resolve("data");
  }

  private int startZooKeeper() {
    int port = FreePorts.next();
    Path zkDir = mkdirs(dir.resolve("zookeeper"));
    Path config =
        write(
            zkDir.resolve("zoo.cfg"),
            String.join(
                "\n",
                "tickTime=2000",
                "dataDir=" + mkdirs(zkDir.resolve("data")),
                "clientPort=" + port,
                "clientPortAddress=127.0.0.1",
                "maxClientCnxns=0",
                "admin.enableServer=false",
                "4lw.commands.whitelist=ruok",
                ""));
    PinotProcess zk =
        launch(
            "zookeeper",
            zkDir,
            128,
            "org.apache.zookeeper.server.ZooKeeperServerMain",
            config.toString());
    zk.awaitReady(() -> "imok".equals(fourLetterWord(port, "ruok")), ZOOKEEPER_START);
    return port;
  }

  private void startController(int zkPort) {
    controllerPort = FreePorts.next();
    Path controllerDir = mkdirs(dir.resolve("controller"));
    Path config =
        write(
            controllerDir.resolve("controller.conf"),
            String.join(
                "\n",
                "controller.host=127.0.0.1",
                "controller.port=" + controllerPort,
                "controller.access.protocols.http.host=127.0.0.1",
                "controller.data.dir=" + mkdirs(controllerDataDir()),
                "controller.local.temp.dir=" + mkdirs(controllerDir.resolve("local-temp")),
                "controller.zk.str=127.0.0.1:" + zkPort,
                "controller.helix.cluster.name=" + NAME,
                ""));
    PinotProcess controller =
        launch(
            "controller",
            controllerDir,
            HEAP_MIB,
            ADMIN,
            "StartController",
            "-configFileName",
            config.toString());
    controller.awaitReady(() -> status(controllerUrl() + "/health") == 200, ROLE_START);
    zkPortForServers = zkPort;
  }

  private void registerPlaceholderBroker() {
    int port = FreePorts.next();
    HttpResponse<String> answer =
        post(
            controllerUrl() + "/instances",
            "application/json",
            ("{\"host\":\"127.0.0.1\",\"port\":"
                    + port
                    + ",\"type\":\"BROKER\",\"tags\":[\"DefaultTenant_BROKER\"]}")
                .getBytes(StandardCharsets.UTF_8));
    check(answer, "register the placeholder broker");
  }

  /** A new server's configuration, on free ports; {@link #startServer} runs it. */
  Server newServer(String name) {
    int nettyPort = FreePorts.next();
    int adminPort = FreePorts.next();
    Path serverDir = mkdirs(dir.resolve(name));
    String instanceId = "Server_127.0.0.1_" + nettyPort;
    Path dataDir = mkdirs(serverDir.resolve("data"));
    Path config =
        write(
            serverDir.resolve("server.conf"),
            String.join(
                "\n",
                "pinot.server.instance.id=" + instanceId,
                "pinot.server.netty.host=127.0.0.1",
                "pinot.server.netty.port=" + nettyPort,
                "pinot.server.adminapi.port=" + adminPort,
                "pinot.server.adminapi.access.protocols.http.host=127.0.0.1",
                "pinot.server.instance.dataDir=" + dataDir,
                "pinot.server.instance.segmentTarDir=" + mkdirs(serverDir.resolve("segment-tar")),
                "pinot.zk.server=127.0.0.1:" + zkPortForServers,
                "pinot.cluster.name=" + NAME,
                ""));
    return new Server(instanceId, nettyPort, adminPort, dataDir, config, serverDir);
  }

  /**
   * Starts the server's JVM and waits for its {@code /health} to answer 200, which Pinot gives once
   * the server has joined the cluster and loaded what the ideal state assigns it.
   */
  PinotProcess startServer(Server server) {
    PinotProcess process =
        launch(
            // A log of its own per start: a test reads what this start did.
            "server-" + server.nettyPort() + "-start" + (++starts),
            server.dir(),
            HEAP_MIB,
            ADMIN,
            "StartServer",
            "-configFileName",
            server.config().toString());
    process.awaitReady(() -> status(server.adminUrl() + "/health") == 200, ROLE_START);
    return process;
  }

  /** Stops one process of this cluster (a server, usually) and forgets it. */
  void stop(PinotProcess process) {
    process.close();
    processes.remove(process);
  }

  private PinotProcess launch(String role, Path roleDir, int heapMiB, String main, String... args) {
    PinotProcess process = PinotProcess.launch(role, lib, roleDir, log4j, heapMiB, main, args);
    processes.add(process);
    return process;
  }

  // ------------------------------------------------------------------ the controller's REST API

  /** {@code POST /schemas} then {@code POST /tables} with the test resources of that name. */
  void createTable(String schemaResource, String tableResource) {
    check(
        post(controllerUrl() + "/schemas", "application/json", resource(schemaResource)),
        "create schema " + schemaResource);
    check(
        post(controllerUrl() + "/tables", "application/json", resource(tableResource)),
        "create table " + tableResource);
  }

  /** Tar push: {@code POST /v2/segments?tableName=T&tableType=OFFLINE}, multipart file part. */
  void pushSegment(String rawTable, Path archive) {
    String boundary = "pinotit-" + UUID.randomUUID();
    byte[] head =
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                + archive.getFileName()
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8);
    byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
    byte[] file;
    try {
      file = Files.readAllBytes(archive);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] body = new byte[head.length + file.length + tail.length];
    System.arraycopy(head, 0, body, 0, head.length);
    System.arraycopy(file, 0, body, head.length, file.length);
    System.arraycopy(tail, 0, body, head.length + file.length, tail.length);
    check(
        post(
            controllerUrl() + "/v2/segments?tableName=" + rawTable + "&tableType=OFFLINE",
            "multipart/form-data; boundary=" + boundary,
            body),
        "push " + archive.getFileName());
  }

  private HttpResponse<String> post(String url, String contentType, byte[] body) {
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(
          HttpRequest.newBuilder(request, (name, value) -> true)
              .timeout(Duration.ofSeconds(60))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + request.uri(), e);
    }
  }

  private int status(String url) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static void check(HttpResponse<String> answer, String what) {
    if (answer.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          "pinot controller refused to " + what + ": " + answer.statusCode() + " " + answer.body());
    }
  }

  // ------------------------------------------------------------------ small helpers

  private static String fourLetterWord(int port, String word) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      out.write(word.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
    } catch (IOException e) {
      return "";
    }
  }

  private static byte[] resource(String name) {
    try (InputStream in =
        Objects.requireNonNull(
            PinotCluster.class.getResourceAsStream("/pinotit/" + name), "resource " + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path copyResource(String name, Path dir) {
    mkdirs(dir);
    try {
      return Files.write(dir.resolve(name), resource(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path mkdirs(Path path) {
    try {
      return Files.createDirectories(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path write(Path file, String text) {
    try {
      return Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops every JVM this cluster started, newest first (servers, controller, ZooKeeper). */
  @Override
  public void close() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).close();
    }
    processes.clear();
  }
}
