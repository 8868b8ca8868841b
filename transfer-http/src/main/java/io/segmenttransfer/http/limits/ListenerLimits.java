package io.segmenttransfer.http.limits;

import io.netty.util.AttributeKey;
import io.segmenttransfer.core.error.InvalidRequestException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import reactor.netty.http.server.HttpServerRequest;

/**
 * What one HTTP listener accepts. Over a limit a client gets the matching 4xx and its connection is
 * closed: a request line over {@code maxInitialLineLength} 414, headers over {@code maxHeaderSize}
 * 431, a request whose headers are not complete within {@code requestTimeout} of its first byte
 * 408, a JSON body over {@code maxJsonBody} or a multipart part over {@code maxMultipartPartBytes}
 * 413, more than {@code maxMultipartParts} parts 400; a connection beyond {@code maxConnections} is
 * answered 503 and closed at once; a body whose next bytes do not come within {@code
 * bodyReadTimeout} ends the connection; a keep-alive connection with no request for {@code
 * idleTimeout} is closed. The archive of a segment push is bounded by the archive limits as it is
 * decoded, not here.
 *
 * @param maxInitialLineLength bytes of the request line ({@code GET /path?query HTTP/1.1})
 * @param maxHeaderSize bytes of all header lines together
 * @param maxConnections connections open at once on the listener
 * @param requestTimeout from the first byte of a request until its headers are complete (slowloris)
 * @param bodyReadTimeout the longest gap between two reads of a request body
 * @param idleTimeout how long a connection may wait for its next request
 * @param maxJsonBody bytes of a JSON request body (table configs, instances, metadata)
 * @param maxMultipartParts parts of one multipart body
 * @param maxMultipartPartBytes bytes of one part other than a pushed archive (commit metadata)
 */
public record ListenerLimits(
    int maxInitialLineLength,
    int maxHeaderSize,
    int maxConnections,
    Duration requestTimeout,
    Duration bodyReadTimeout,
    Duration idleTimeout,
    long maxJsonBody,
    int maxMultipartParts,
    long maxMultipartPartBytes) {

  /** Room for a long segment name escaped three times over, and a query. */
  public static final int DEFAULT_MAX_INITIAL_LINE_LENGTH = 8 * 1024;

  /** Netty's default is 8 KiB; bearer tokens and forwarded headers can be larger. */
  public static final int DEFAULT_MAX_HEADER_SIZE = 16 * 1024;

  /** Servers and clients of one cluster; each connection costs a few KiB at most. */
  public static final int DEFAULT_MAX_CONNECTIONS = 1024;

  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** As a download's idle timeout: a push that stalls this long is not coming back. */
  public static final Duration DEFAULT_BODY_READ_TIMEOUT = Duration.ofSeconds(60);

  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(2);

  /** Table configs, schemas, instances and segment metadata are small. */
  public static final long DEFAULT_MAX_JSON_BODY = 4L * 1024 * 1024;

  /** A tar push has one part, a commit two; Pinot's clients send a few more fields at most. */
  public static final int DEFAULT_MAX_MULTIPART_PARTS = 64;

  /** A wide table's {@code metadata.properties} is a few MiB at most. */
  public static final long DEFAULT_MAX_MULTIPART_PART_BYTES = 16L * 1024 * 1024;

  static final AttributeKey<ListenerLimits> ATTRIBUTE =
      AttributeKey.valueOf(ListenerLimits.class.getName());

  public ListenerLimits {
    positive("maxInitialLineLength", maxInitialLineLength);
    positive("maxHeaderSize", maxHeaderSize);
    positive("maxConnections", maxConnections);
    positive("maxJsonBody", maxJsonBody);
    positive("maxMultipartParts", maxMultipartParts);
    positive("maxMultipartPartBytes", maxMultipartPartBytes);
    positive("requestTimeout", requestTimeout);
    positive("bodyReadTimeout", bodyReadTimeout);
    positive("idleTimeout", idleTimeout);
  }

  public static ListenerLimits defaults() {
    return new ListenerLimits(
        DEFAULT_MAX_INITIAL_LINE_LENGTH,
        DEFAULT_MAX_HEADER_SIZE,
        DEFAULT_MAX_CONNECTIONS,
        DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_BODY_READ_TIMEOUT,
        DEFAULT_IDLE_TIMEOUT,
        DEFAULT_MAX_JSON_BODY,
        DEFAULT_MAX_MULTIPART_PARTS,
        DEFAULT_MAX_MULTIPART_PART_BYTES);
  }

  /**
   * The limits of the listener that accepted {@code request}; the defaults for a listener built
   * without {@link HttpServerLimits}.
   */
  public static ListenerLimits of(HttpServerRequest request) {
    AtomicReference<ListenerLimits> limits = new AtomicReference<>();
    request.withConnection(connection -> limits.set(connection.channel().attr(ATTRIBUTE).get()));
    ListenerLimits found = limits.get();
    return found != null ? found : defaults();
  }

  public ListenerLimits withMaxConnections(int connections) {
    return new ListenerLimits(
        maxInitialLineLength,
        maxHeaderSize,
        connections,
        requestTimeout,
        bodyReadTimeout,
        idleTimeout,
        maxJsonBody,
        maxMultipartParts,
        maxMultipartPartBytes);
  }

  public ListenerLimits withRequestTimeout(Duration timeout) {
    return new ListenerLimits(
        maxInitialLineLength,
        maxHeaderSize,
        maxConnections,
        timeout,
        bodyReadTimeout,
        idleTimeout,
        maxJsonBody,
        maxMultipartParts,
        maxMultipartPartBytes);
  }

  public ListenerLimits withTimeouts(Duration request, Duration bodyRead, Duration idle) {
    return new ListenerLimits(
        maxInitialLineLength,
        maxHeaderSize,
        maxConnections,
        request,
        bodyRead,
        idle,
        maxJsonBody,
        maxMultipartParts,
        maxMultipartPartBytes);
  }

  public ListenerLimits withHeaderSizes(int initialLine, int headers) {
    return new ListenerLimits(
        initialLine,
        headers,
        maxConnections,
        requestTimeout,
        bodyReadTimeout,
        idleTimeout,
        maxJsonBody,
        maxMultipartParts,
        maxMultipartPartBytes);
  }

  public ListenerLimits withBodies(long jsonBody, int multipartParts, long multipartPartBytes) {
    return new ListenerLimits(
        maxInitialLineLength,
        maxHeaderSize,
        maxConnections,
        requestTimeout,
        bodyReadTimeout,
        idleTimeout,
        jsonBody,
        multipartParts,
        multipartPartBytes);
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new InvalidRequestException(
          null, "listener limit " + name + " must be positive: " + value);
    }
  }

  private static void positive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new InvalidRequestException(
          null, "listener limit " + name + " must be positive: " + value);
    }
  }
}
