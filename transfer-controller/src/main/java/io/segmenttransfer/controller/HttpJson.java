package io.segmenttransfer.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.segmenttransfer.controller.api.ControllerJson;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.http.ErrorBody;
import io.segmenttransfer.http.JsonReply;
import io.segmenttransfer.http.KeepAliveSafe;
import io.segmenttransfer.http.PathParameters;
import io.segmenttransfer.http.QueryParameters;
import io.segmenttransfer.http.limits.ListenerLimits;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The controller's HTTP plumbing in one place: JSON responses, request bodies and parameters, and
 * failures answered with transfer-http's one mapping to a status and Pinot's error body {@code
 * {"code", "error"}} ({@link JsonReply#error}). {@link HttpStatusException} is answered with its
 * own status: {@code SegmentUpload} still throws it for a concurrent upload.
 *
 * <p>Public only for the controller's own sub-packages ({@code completion}); not an API.
 */
public final class HttpJson {

  public static final ObjectMapper MAPPER = ControllerJson.MAPPER;

  private static final Logger LOG = LoggerFactory.getLogger(HttpJson.class);

  private HttpJson() {}

  /** Wraps a handler so that any failure, thrown or signalled, becomes an error response. */
  public static BiFunction<HttpServerRequest, HttpServerResponse, Mono<Void>> handler(
      BiFunction<HttpServerRequest, HttpServerResponse, Mono<Void>> handler) {
    return KeepAliveSafe.offDispatch(
        (request, response) ->
            Mono.defer(() -> handler.apply(request, response))
                .onErrorResume(error -> error(request, response, error)));
  }

  static Mono<Void> send(HttpServerResponse response, int status, JsonNode body) {
    return new JsonReply(status, body).send(response);
  }

  public static Mono<Void> ok(HttpServerResponse response, JsonNode body) {
    return send(response, 200, body);
  }

  /** {@code {"status": message}}, Pinot's answer to a successful change. */
  static Mono<Void> status(HttpServerResponse response, String message) {
    return ok(response, MAPPER.createObjectNode().put("status", message));
  }

  static Mono<Void> error(HttpServerRequest request, HttpServerResponse response, Throwable error) {
    JsonReply reply =
        error instanceof HttpStatusException e
            ? new JsonReply(e.status(), new ErrorBody(e.status(), e.getMessage()))
            : JsonReply.error(error);
    if (reply.status() >= 500) {
      LOG.warn("{} {} failed", request.method(), request.uri(), error);
    }
    if (response.hasSentHeaders()) {
      // Mid-body: no status can be sent any more; failing the response closes the connection, so
      // the client sees a truncated body rather than a complete-looking one.
      return Mono.error(error);
    }
    return reply.send(response);
  }

  /**
   * The request body as JSON; 400 when it is not JSON, 413 when over the listener's {@link
   * ListenerLimits#maxJsonBody()} (refused from its Content-Length before a byte is read, when it
   * has one).
   */
  public static Mono<JsonNode> body(HttpServerRequest request) {
    long max = ListenerLimits.of(request).maxJsonBody();
    String length = request.requestHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
    if (length != null && length.chars().allMatch(Character::isDigit) && length.length() < 19) {
      if (Long.parseLong(length) > max) {
        return Mono.error(tooLarge(max));
      }
    }
    return request
        .receive()
        .reduce(
            new java.io.ByteArrayOutputStream(),
            (out, buf) -> {
              if (out.size() + (long) buf.readableBytes() > max) {
                throw tooLarge(max);
              }
              byte[] bytes = new byte[buf.readableBytes()];
              buf.readBytes(bytes);
              out.write(bytes, 0, bytes.length);
              return out;
            })
        .map(
            out -> {
              try {
                JsonNode node = MAPPER.readTree(out.toByteArray());
                if (node == null || node.isMissingNode()) {
                  throw new InvalidRequestException(null, "request body is empty: expected JSON");
                }
                return node;
              } catch (java.io.IOException e) {
                throw new InvalidRequestException(
                    null,
                    "request body is not valid JSON: "
                        + new String(
                            out.toByteArray(),
                            0,
                            Math.min(out.size(), 200),
                            StandardCharsets.UTF_8),
                    e);
              }
            })
        .switchIfEmpty(
            Mono.error(
                () -> new InvalidRequestException(null, "request body is empty: expected JSON")));
  }

  private static HttpStatusException tooLarge(long max) {
    return new HttpStatusException(413, "request body over " + max + " bytes");
  }

  /** A path parameter, decoded (see {@link PathParameters}). */
  public static String path(HttpServerRequest request, String name) {
    return PathParameters.decoded(request, name);
  }

  /** A query parameter naming a table or segment, checked (see {@link PathParameters}). */
  public static String queryName(HttpServerRequest request, String name) {
    return PathParameters.queryName(request, name);
  }

  /** A query parameter, or null when absent. */
  public static String query(HttpServerRequest request, String name) {
    return QueryParameters.first(request, name);
  }

  static long queryLong(HttpServerRequest request, String name, long otherwise) {
    String value = query(request, name);
    if (value == null || value.isBlank()) {
      return otherwise;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(
          null, "query parameter " + name + " is not a number: '" + value + "'");
    }
  }
}
