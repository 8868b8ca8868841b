package io.segmenttransfer.benchmarks;

import io.segmenttransfer.benchmarks.RealSegments.RealArchive;
import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.s3.S3Config;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * The sources {@link FetcherBenchmark} fetches one archive from, each behind its own {@link
 * ThrottlingTcpProxy}, and the fetcher keys each side is started with ({@code
 * pinot.server.segment.fetcher.*} without the prefix, as a Pinot server operator writes them).
 */
final class FetchSources implements AutoCloseable {

  static final String HTTP = "http";

  /**
   * The same controller through a second proxy that resets the connection once half the archive has
   * passed: the child's first fetch goes through the plain path, its second (the measured, warm
   * one) is cut once.
   */
  static final String HTTP_RESET = "http-reset";

  static final String S3 = "s3";
  static final String PINOT = "pinot";
  static final String PLUGIN = "plugin";

  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final Map<String, URI> uris = new LinkedHashMap<>();
  private URI s3Endpoint;
  private ResettingTcpProxy resetting;

  private FetchSources() {}

  /** Starts the named sources ({@value #HTTP}, {@value #S3}) holding {@code real}'s archive. */
  static FetchSources start(
      RealArchive real, Path work, ThrottlingTcpProxy.Throttle link, List<String> names)
      throws Exception {
    FetchSources sources = new FetchSources();
    try {
      for (String name : names) {
        switch (name) {
          case HTTP -> sources.startController(real, work, link);
          case HTTP_RESET -> sources.startResetting(real);
          case S3 -> sources.startS3(real, work, link);
          default ->
              throw new IllegalArgumentException(
                  "unknown source " + name + " (http, http-reset, s3)");
        }
      }
    } catch (Exception e) {
      sources.close();
      throw e;
    }
    return sources;
  }

  /**
   * A controller of this project holding the archive in its deep store: Pinot's download URL, which
   * a server fetches from (or from a peer's, the same kind of HTTP GET).
   */
  private void startController(RealArchive real, Path work, ThrottlingTcpProxy.Throttle link)
      throws IOException {
    EmbeddedController controller =
        EmbeddedController.start(ControllerConfig.defaults(work.resolve("controller")).withPort(0));
    resources.add(controller);
    ControllerClient client = ControllerClient.create(controller.baseUrl());
    TableNameWithType table = TableNameWithType.parse(RealSegments.TABLE_WITH_TYPE);
    client.createTable(table, 1).block(TIMEOUT);
    client.uploadSegment(table, real.file()).block(TIMEOUT);
    ThrottlingTcpProxy proxy =
        new ThrottlingTcpProxy(
            new InetSocketAddress("127.0.0.1", URI.create(controller.baseUrl()).getPort()), link);
    resources.add(proxy);
    uris.put(
        HTTP,
        URI.create(
            proxy.httpEndpoint() + "/segments/" + RealSegments.TABLE + "/" + real.segmentName()));
  }

  /** A resetting proxy in front of the throttled path to the controller (started first). */
  private void startResetting(RealArchive real) throws IOException {
    URI plain = uris.get(HTTP);
    if (plain == null) {
      throw new IllegalArgumentException("the source http-reset needs http before it");
    }
    resetting =
        new ResettingTcpProxy(
            new InetSocketAddress("127.0.0.1", plain.getPort()), real.archiveBytes() / 2);
    resources.add(resetting);
    uris.put(HTTP_RESET, URI.create(resetting.httpEndpoint() + plain.getRawPath()));
  }

  /**
   * Before a child fetches from {@code source}: arms the cut of {@value #HTTP_RESET}; returns the
   * cuts made so far, for {@link #cutSince}.
   */
  int arm(String source) {
    if (!source.equals(HTTP_RESET)) {
      return 0;
    }
    resetting.arm();
    return resetting.cuts();
  }

  /** Whether a connection was reset since {@link #arm} returned {@code before}. */
  boolean cutSince(String source, int before) {
    return !source.equals(HTTP_RESET) || resetting.cuts() > before;
  }

  private void startS3(RealArchive real, Path work, ThrottlingTcpProxy.Throttle link)
      throws IOException {
    InProcessS3Server s3 = InProcessS3Server.start(work.resolve("s3"));
    resources.add(s3);
    String key = RealSegments.TABLE + "/" + real.segmentName() + ".tar.gz";
    try (S3AsyncClient client = InProcessS3Server.sdkClient(s3.endpoint(), 4)) {
      client.createBucket(b -> b.bucket(InProcessS3Server.BUCKET)).join();
      client
          .putObject(
              b -> b.bucket(InProcessS3Server.BUCKET).key(key),
              AsyncRequestBody.fromFile(real.file()))
          .join();
    }
    ThrottlingTcpProxy proxy =
        new ThrottlingTcpProxy(new InetSocketAddress("127.0.0.1", s3.endpoint().getPort()), link);
    resources.add(proxy);
    s3Endpoint = proxy.httpEndpoint();
    uris.put(S3, InProcessS3Server.objectUri(key));
  }

  /**
   * The sides measured from {@code source}: Pinot's default and the plugin from HTTP; the plugin
   * alone from S3, whose Pinot default (the pinot-s3 plugin) is not to be had here.
   */
  List<String> sides(String source) {
    return source.equals(S3) ? List.of(PLUGIN) : List.of(PINOT, PLUGIN);
  }

  /**
   * {@link PinotFetchChild}'s arguments for one side fetching from {@code source} into {@code
   * dest}.
   */
  List<String> childArgs(String source, String side, Path dest) {
    // A fresh JVM's fetch, then a warm one: the same URI, but for http-reset, whose first fetch
    // takes the plain path so that the cut falls on the warm fetch.
    URI warm = uris.get(source);
    URI first = source.equals(HTTP_RESET) ? uris.get(HTTP) : warm;
    String protocol = warm.getScheme();
    List<String> args =
        new ArrayList<>(List.of(first + "," + warm, dest.toString(), "protocols=" + protocol));
    if (side.equals(PLUGIN)) {
      args.add(protocol + ".class=" + FetcherBenchmark.PLUGIN_CLASS);
    }
    if (source.equals(S3)) {
      // Pinot's S3PinotFS names (the plugin reads the same keys), plus path-style addressing.
      args.addAll(
          List.of(
              "s3.endpoint=" + s3Endpoint,
              "s3.region=" + S3Config.DEFAULT_REGION,
              "s3.accessKey=" + InProcessS3Server.ACCESS_KEY,
              "s3.secretKey=" + InProcessS3Server.SECRET_KEY,
              "s3.pathStyleAccess=true"));
    }
    return args;
  }

  @Override
  public void close() {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception ignored) {
        // Stopping benchmark fixtures: nothing to report to.
      }
    }
  }
}
