package io.segmenttransfer.benchmarks;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The child JVM of {@link FetcherBenchmark}: Pinot 1.5's {@code SegmentFetcherFactory} initialised
 * the way a Pinot server initialises it (its {@code pinot.server.segment.fetcher} subset), then the
 * call a server makes with {@code pinot.server.instance.segment.stream.download.untar=true}, {@code
 * fetchAndStreamUntarToLocal}, several times, each into a fresh directory, each timed.
 *
 * <p>Pinot is reached by reflection only, so this class compiles without Pinot's jars and uses
 * nothing but the JDK: the benchmark copies it alone into a directory and starts it on Pinot's own
 * classpath (plus the plugin's shaded jar for the plugin's side), so neither Pinot's tree nor the
 * benchmarks' ever shares a JVM with the other.
 *
 * <p>Arguments: {@code <uri>[,<uri>...] <destination root> [key=value ...]}: one fetch per URI, in
 * order; the keys relative to {@code pinot.server.segment.fetcher}. Prints one JSON line: {@code
 * {"fetches":[{"millis":..,"attempts":..,"dir":".."}, ...]}}, with {@code "failed":"<exception>"}
 * instead of {@code "dir"} for a fetch that failed.
 */
public final class PinotFetchChild {

  static final String SERVER_FETCHER_PREFIX = "pinot.server.segment.fetcher";

  private PinotFetchChild() {}

  private static String quote(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        quoted.append('\\').append(c);
      } else if (c < 0x20) {
        quoted.append(' ');
      } else {
        quoted.append(c);
      }
    }
    return quoted.append('"').toString();
  }

  public static void main(String[] args) throws Exception {
    String[] uris = args[0].split(",");
    Path root = Path.of(args[1]);
    Map<String, Object> server = new LinkedHashMap<>();
    for (int i = 2; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      server.put(SERVER_FETCHER_PREFIX + "." + args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    Class<?> configClass = Class.forName("org.apache.pinot.spi.env.PinotConfiguration");
    Object config = configClass.getConstructor(Map.class).newInstance(server);
    Object fetcherConfig =
        configClass.getMethod("subset", String.class).invoke(config, SERVER_FETCHER_PREFIX);
    Class<?> factory = Class.forName("org.apache.pinot.common.utils.fetcher.SegmentFetcherFactory");
    factory.getMethod("init", configClass).invoke(null, fetcherConfig);
    Method fetch =
        factory.getMethod(
            "fetchAndStreamUntarToLocal", URI.class, File.class, long.class, AtomicInteger.class);

    StringBuilder json = new StringBuilder("{\"fetches\":[");
    for (int i = 0; i < uris.length; i++) {
      URI uri = URI.create(uris[i]);
      File dest = Files.createDirectories(root.resolve("fetch-" + i)).toFile();
      AtomicInteger attempts = new AtomicInteger();
      long started = System.nanoTime();
      String failure = null;
      File segment = null;
      try {
        // -1: no rate limit, as Pinot's default pinot.server.instance.segment.download.rate.
        segment = (File) fetch.invoke(null, uri, dest, -1L, attempts);
      } catch (InvocationTargetException e) {
        // A failed download is a result too (Pinot's server would mark the segment in error).
        Throwable cause = e.getCause() == null ? e : e.getCause();
        failure = cause.getClass().getName() + ": " + cause.getMessage();
      }
      long millis = (System.nanoTime() - started) / 1_000_000;
      json.append(i == 0 ? "" : ",")
          .append("{\"millis\":")
          .append(millis)
          .append(",\"attempts\":")
          .append(attempts.get())
          .append(",")
          .append(
              failure == null
                  ? "\"dir\":" + quote(segment.getAbsolutePath())
                  : "\"failed\":" + quote(failure))
          .append("}");
    }
    System.out.println(json.append("]}"));
    // The plugin's and Pinot's client threads are not all daemons; the fetches are done.
    System.exit(0);
  }
}
