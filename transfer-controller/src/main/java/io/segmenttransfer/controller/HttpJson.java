package io.segmenttransfer.controller;

import io.segmenttransfer.controller.api.ControllerJson;
import io.segmenttransfer.http.KeepAliveSafe;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.segmenttransfer.core.error.ArchiveLimitExceededException;
import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The controller's HTTP plumbing in one place: JSON responses, request bodies, parameters, and the
 * single mapping from failures to statuses with Pinot's error body {@code {"code", "error"}}.
 */
final class HttpJson {

  static final ObjectMapper MAPPER = ControllerJson.MAPPER;
  /** JSON request bodies are table configs, instances and metadata: small. */
  static final int MAX_JSON_BODY = 4 * 1024 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(HttpJson.class);

  private HttpJson() {}

  /** Wraps a handler so that any failure, thrown or signalled, becomes an error response. */
  static BiFunction<HttpServerRequest, HttpServerResponse, Mono<Void>> handler(
      BiFunction<HttpServerRequest, HttpServerResponse, Mono<Void>> handler) {
    return KeepAliveSafe.offDispatch((request, response) -> Mono.defer(() -> handler.apply(request, response))
        .onErrorResume(error -> error(request, response, error)));
  }

  static Mono<Void> send(HttpServerResponse response, int status, JsonNode body) {
    byte[] bytes;
    try {
      bytes = MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      return Mono.error(e);
    }
    return response.status(status)
        .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
        .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(bytes.length))
        .sendByteArray(Mono.just(bytes))
        .then();
  }

  static Mono<Void> ok(HttpServerResponse response, JsonNode body) {
    return send(response, 200, body);
  }

  /** {@code {"status": message}}, Pinot's answer to a successful change. */
  static Mono<Void> status(HttpServerResponse response, String message) {
    return ok(response, MAPPER.createObjectNode().put("status", message));
  }

  static Mono<Void> error(HttpServerRequest request, HttpServerResponse response, Throwable error) {
    int status = statusOf(error);
    if (status >= 500) {
      LOG.warn("{} {} failed", request.method(), request.uri(), error);
    }
    if (response.hasSentHeaders()) {
      // Mid-body: no status can be sent any more; failing the response closes the connection, so
      // the client sees a truncated body rather than a complete-looking one.
      return Mono.error(error);
    }
    ObjectNode body = MAPPER.createObjectNode().put("code", status).put("error", String.valueOf(error.getMessage()));
    return send(response, status, body);
  }

  private static int statusOf(Throwable error) {
    if (error instanceof HttpStatusException e) {
      return e.status();
    }
    if (error instanceof InvalidRequestException || error instanceof InvalidArchiveException) {
      return HttpResponseStatus.BAD_REQUEST.code();
    }
    if (error instanceof ArchiveLimitExceededException) {
      return HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code();
    }
    if (error instanceof SourceNotFoundException) {
      return HttpResponseStatus.NOT_FOUND.code();
    }
    return HttpResponseStatus.INTERNAL_SERVER_ERROR.code();
  }

  /** The request body as JSON; 400 when it is not JSON, 413 when over {@link #MAX_JSON_BODY}. */
  static Mono<JsonNode> body(HttpServerRequest request) {
    return request.receive()
        .reduce(new java.io.ByteArrayOutputStream(), (out, buf) -> {
          if (out.size() + buf.readableBytes() > MAX_JSON_BODY) {
            throw new HttpStatusException(413, "request body over " + MAX_JSON_BODY + " bytes");
          }
          byte[] bytes = new byte[buf.readableBytes()];
          buf.readBytes(bytes);
          out.write(bytes, 0, bytes.length);
          return out;
        })
        .map(out -> {
          try {
            JsonNode node = MAPPER.readTree(out.toByteArray());
            if (node == null || node.isMissingNode()) {
              throw new InvalidRequestException(null, "request body is empty: expected JSON");
            }
            return node;
          } catch (java.io.IOException e) {
            throw new InvalidRequestException(null, "request body is not valid JSON: "
                + new String(out.toByteArray(), 0, Math.min(out.size(), 200), StandardCharsets.UTF_8), e);
          }
        })
        .switchIfEmpty(Mono.error(() -> new InvalidRequestException(null, "request body is empty: expected JSON")));
  }

  /** A path parameter, URL-decoded. */
  static String path(HttpServerRequest request, String name) {
    String value = request.param(name);
    if (value == null) {
      throw new InvalidRequestException(null, "missing path parameter " + name);
    }
    return QueryStringDecoder.decodeComponent(value);
  }

  /** A query parameter, or null when absent. */
  static String query(HttpServerRequest request, String name) {
    List<String> values = new QueryStringDecoder(request.uri()).parameters().get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  static long queryLong(HttpServerRequest request, String name, long otherwise) {
    String value = query(request, name);
    if (value == null || value.isBlank()) {
      return otherwise;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(null, "query parameter " + name + " is not a number: '" + value + "'");
    }
  }
}
