package io.segmenttransfer.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A JSON answer of an HTTP surface: a status and a body Jackson can write (a {@code JsonNode}, a
 * map, a record such as {@link ErrorBody}). Deciding the reply and sending it are separate steps,
 * so a handler can settle on one answer (success or error) and send it exactly once.
 */
public record JsonReply(int status, Object body) {

  /** Plain Jackson: the wire shapes are built explicitly as nodes, maps or records. */
  static final ObjectMapper MAPPER = new ObjectMapper();

  public static JsonReply ok(Object body) {
    return new JsonReply(200, body);
  }

  /** Pinot's error answer for {@code failure}, with the status {@link ErrorStatus} gives it. */
  public static JsonReply error(Throwable failure) {
    ErrorBody body = ErrorBody.of(failure);
    return new JsonReply(body.code(), body);
  }

  /**
   * Sends the reply with {@code Content-Type} and {@code Content-Length}; completes when it is
   * written, errors when the body cannot be serialised or the response fails. The bytes are a heap
   * array reactor-netty wraps and releases itself.
   */
  public Mono<Void> send(HttpServerResponse response) {
    byte[] bytes;
    try {
      bytes = MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      return Mono.error(e);
    }
    if (status == 408 || status == 413 || status == 431) {
      // The request was cut short or is too big to read: the rest of it may still be on its way,
      // so the connection cannot carry another request. Closing it also stops the upload.
      response.keepAlive(false);
    }
    return response
        .status(status)
        .header(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(bytes.length))
        .sendByteArray(Mono.just(bytes))
        .then();
  }
}
