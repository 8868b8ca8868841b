package io.segmenttransfer.pinotfetcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A plain HTTP file server on a loopback port (the JDK's server, so no code under test serves the
 * bytes), answering HEAD and GET with {@code Range: bytes=N-} and an ETag derived from the file's
 * size and modification time, as a peer or an HTTP deep store would. Records the ranges asked for.
 */
final class ArchiveHttpServer implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(4);
  private final Path root;
  private final List<String> requests = new CopyOnWriteArrayList<>();

  ArchiveHttpServer(Path root) throws IOException {
    this.root = root;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::serve);
    server.setExecutor(threads);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /**
   * The URI of {@code file} (relative to the root) on {@code port} (this server's or a proxy's).
   */
  URI uri(int port, String file) {
    return URI.create("http://127.0.0.1:" + port + "/" + file);
  }

  /** Every request as "METHOD path range". */
  List<String> requests() {
    return List.copyOf(requests);
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      String range = exchange.getRequestHeaders().getFirst("Range");
      requests.add(
          exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " " + range);
      Path file = root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
      if (!file.startsWith(root) || !Files.isRegularFile(file)) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      long size = Files.size(file);
      String etag = "\"" + size + "-" + Files.getLastModifiedTime(file).toMillis() + "\"";
      exchange.getResponseHeaders().set("ETag", etag);
      exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
      if (exchange.getRequestMethod().equals("HEAD")) {
        exchange.getResponseHeaders().set("Content-Length", Long.toString(size));
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      String ifMatch = exchange.getRequestHeaders().getFirst("If-Match");
      if (ifMatch != null && !ifMatch.equals(etag)) {
        exchange.sendResponseHeaders(412, -1);
        return;
      }
      long start = 0;
      if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
        start = Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
        exchange
            .getResponseHeaders()
            .set("Content-Range", "bytes " + start + "-" + (size - 1) + "/" + size);
        exchange.sendResponseHeaders(206, size - start);
      } else {
        exchange.sendResponseHeaders(200, size);
      }
      try (InputStream in = Files.newInputStream(file);
          OutputStream out = exchange.getResponseBody()) {
        in.skipNBytes(start);
        in.transferTo(out);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
