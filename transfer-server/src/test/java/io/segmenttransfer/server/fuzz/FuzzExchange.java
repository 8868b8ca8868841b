package io.segmenttransfer.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.testing.RawHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What every fuzz try checks, and the file-tree checks around a property. */
final class FuzzExchange {

  /**
   * The longest a try may take: well above the fuzzed listeners' request and body-read timeouts (1
   * s), so a wait this long is a hang.
   */
  static final Duration DEADLINE = Duration.ofSeconds(10);

  /** A request this big may be cut off by the server's early refusal before its answer is read. */
  private static final int LARGE = 64 * 1024;

  private FuzzExchange() {}

  /**
   * Sends the request on a fresh connection; the answer must be a status from 200 to 599 (or, for a
   * truncated or large request the server refused early, a closed connection), and the server must
   * close the connection (the request said {@code Connection: close}) within the deadline.
   */
  static int send(int port, FuzzRequest request) {
    byte[] bytes = request.bytes();
    try (RawHttp http = RawHttp.connect(port, DEADLINE)) {
      http.send(bytes);
      if (request.truncated()) {
        http.shutdownOutput();
      }
      RawHttp.Response reply = http.readResponse();
      if (reply.status() == -1) {
        assertThat(request.truncated() || bytes.length > LARGE)
            .as("connection closed without an answer to %s", request)
            .isTrue();
      } else {
        assertThat(reply.status())
            .as("status of %s: %s", request, reply.text())
            .isBetween(200, 599);
      }
      assertThat(http.closedByServer())
          .as("server closed the connection after %s", request)
          .isTrue();
      return reply.status();
    }
  }

  /** Every file and directory under {@code root} but those under {@code allowed}. */
  static Map<String, String> outside(Path root, List<Path> allowed) {
    Map<String, String> all = new TreeMap<>(DirectorySnapshot.of(root));
    all.keySet()
        .removeIf(
            path ->
                allowed.stream().anyMatch(dir -> root.resolve(path).normalize().startsWith(dir)));
    return all;
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
