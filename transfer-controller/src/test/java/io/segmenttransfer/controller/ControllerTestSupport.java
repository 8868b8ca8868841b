package io.segmenttransfer.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.segmenttransfer.core.testing.PinotFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

/** Raw HTTP against a controller, to check statuses, headers and shapes the typed client hides. */
final class ControllerTestSupport {

  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final ObjectMapper JSON = new ObjectMapper();

  private ControllerTestSupport() {}

  record Reply(int status, HttpHeaders headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + text(), e);
      }
    }
  }

  static Reply call(
      String baseUrl, HttpMethod method, String path, byte[] body, Map<String, String> headers) {
    // A fresh connection per call: servers of earlier tests come and go on reused ephemeral ports,
    // and these tests are about the server's answers, not the client's keep-alive pool.
    return call(HttpClient.newConnection(), baseUrl, method, path, body, headers);
  }

  /** The same through {@code connections} (an HTTPS client, say). */
  static Reply call(
      HttpClient connections,
      String baseUrl,
      HttpMethod method,
      String path,
      byte[] body,
      Map<String, String> headers) {
    HttpClient client = connections.baseUrl(baseUrl).headers(h -> headers.forEach(h::set));
    HttpClient.ResponseReceiver<?> request =
        body == null
            ? client.request(method).uri(path)
            : client.request(method).uri(path).send(ByteBufFlux.fromInbound(Mono.just(body)));
    return request
        .responseSingle(
            (response, content) ->
                content
                    .asByteArray()
                    .defaultIfEmpty(new byte[0])
                    .map(
                        bytes ->
                            new Reply(response.status().code(), response.responseHeaders(), bytes)))
        .block(TIMEOUT);
  }

  static Reply get(String baseUrl, String path) {
    return call(baseUrl, HttpMethod.GET, path, null, Map.of());
  }

  static Reply send(String baseUrl, HttpMethod method, String path, String json) {
    return call(
        baseUrl,
        method,
        path,
        json.getBytes(StandardCharsets.UTF_8),
        Map.of("Content-Type", "application/json"));
  }

  /** {@code creationTimeMs} of a fixture segment, from the manifest. */
  static long creationTimeMs(String segmentName) {
    try {
      JsonNode manifest =
          JSON.readTree(PinotFixtures.directory().resolve("manifest.json").toFile());
      for (JsonNode segment : manifest.get("segments")) {
        if (segment.get("segmentName").asText().equals(segmentName)) {
          return segment.get("creationTimeMs").asLong();
        }
      }
      throw new AssertionError("no fixture segment " + segmentName);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
