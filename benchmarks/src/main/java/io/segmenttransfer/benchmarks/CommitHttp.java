package io.segmenttransfer.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segmenttransfer.controller.api.CompletionRequest;
import io.segmenttransfer.controller.api.CompletionResponse;
import io.segmenttransfer.core.segment.SegmentId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * The HTTP calls of the commit benchmark, on one JDK {@link HttpClient} (HTTP/1.1, kept-alive
 * connections on loopback): the completion protocol as a Pinot server sends it ({@code
 * segmentConsumed}, {@code segmentCommitStart}, {@code segmentCommitEndWithMetadata} with the two
 * files as multipart parts), the server's commit endpoint, and the controller's segment metadata.
 */
public final class CommitHttp implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final String controller;

  public CommitHttp(String controllerBaseUrl) {
    this.controller =
        controllerBaseUrl.endsWith("/")
            ? controllerBaseUrl.substring(0, controllerBaseUrl.length() - 1)
            : controllerBaseUrl;
  }

  /** {@code GET /segmentConsumed}. */
  public CompletionResponse segmentConsumed(CompletionRequest request) throws IOException {
    return completion(
        HttpRequest.newBuilder(URI.create(controller + "/segmentConsumed?" + request.toQuery()))
            .GET());
  }

  /** {@code GET /segmentCommitStart}. */
  public CompletionResponse segmentCommitStart(CompletionRequest request) throws IOException {
    return completion(
        HttpRequest.newBuilder(URI.create(controller + "/segmentCommitStart?" + request.toQuery()))
            .GET());
  }

  /**
   * {@code POST /segmentCommitEndWithMetadata}: the request carries the location; the two files go
   * as parts.
   */
  public CompletionResponse segmentCommitEndWithMetadata(
      CompletionRequest request, byte[] metadataProperties, byte[] creationMeta)
      throws IOException {
    String boundary = "----commit-bench-" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    part(body, boundary, "metadata.properties", metadataProperties);
    part(body, boundary, "creation.meta", creationMeta);
    body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return completion(
        HttpRequest.newBuilder(
                URI.create(controller + "/segmentCommitEndWithMetadata?" + request.toQuery()))
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
  }

  private static void part(ByteArrayOutputStream body, String boundary, String name, byte[] bytes) {
    body.writeBytes(
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\""
                + name
                + "\"; filename=\""
                + name
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    body.writeBytes(bytes);
    body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  private CompletionResponse completion(HttpRequest.Builder request) throws IOException {
    HttpResponse<String> response = send(request.timeout(TIMEOUT).build());
    if (response.statusCode() != 200) {
      throw new IOException(
          response.uri() + " answered " + response.statusCode() + ": " + response.body());
    }
    return CompletionResponse.fromJson(JSON.readTree(response.body()));
  }

  /**
   * {@code POST <server>/segments/{t}/{s}/commit} with {@code {"segmentDir", "offset"}}: the
   * server's commit flow. Returns the answer's JSON (with its HTTP status as {@code httpStatus}).
   */
  public JsonNode serverCommit(
      String serverBaseUrl, SegmentId segment, String segmentDir, String offset)
      throws IOException {
    ObjectNode body = JSON.createObjectNode().put("segmentDir", segmentDir).put("offset", offset);
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(
                    URI.create(
                        serverBaseUrl
                            + "/segments/"
                            + encode(segment.table().toString())
                            + "/"
                            + encode(segment.segmentName())
                            + "/commit"))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .build());
    JsonNode answer;
    try {
      answer = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IOException(
          "commit of " + segment + " answered " + response.statusCode() + ": " + response.body(),
          e);
    }
    if (answer == null || !answer.isObject()) {
      throw new IOException(
          "commit of " + segment + " answered " + response.statusCode() + ": " + response.body());
    }
    return ((ObjectNode) answer).put("httpStatus", response.statusCode());
  }

  /** {@code GET /segments/{t}/{s}/metadata}: the flat record, or null while there is none (404). */
  public JsonNode metadata(SegmentId segment) throws IOException {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(
                    URI.create(
                        controller
                            + "/segments/"
                            + encode(segment.table().toString())
                            + "/"
                            + encode(segment.segmentName())
                            + "/metadata"))
                .timeout(TIMEOUT)
                .GET()
                .build());
    if (response.statusCode() == 404) {
      return null;
    }
    if (response.statusCode() != 200) {
      throw new IOException(
          "metadata of " + segment + " answered " + response.statusCode() + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }

  /**
   * The record's {@code segment.download.url}; "" when it is empty, absent, or there is no record.
   */
  public String downloadUrl(SegmentId segment) throws IOException {
    JsonNode metadata = metadata(segment);
    return metadata == null ? "" : metadata.path("segment.download.url").asText("");
  }

  /**
   * This project's {@code PUT /segments/{t}/{s}/downloadUrl}, after an upload that followed the
   * commit.
   */
  public void putDownloadUrl(SegmentId segment, String url, long crc) throws IOException {
    ObjectNode body =
        JSON.createObjectNode().put("downloadUrl", url).put("crc", Long.toString(crc));
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(
                    URI.create(
                        controller
                            + "/segments/"
                            + encode(segment.table().toString())
                            + "/"
                            + encode(segment.segmentName())
                            + "/downloadUrl"))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .build());
    if (response.statusCode() != 200) {
      throw new IOException(
          "downloadUrl of "
              + segment
              + " answered "
              + response.statusCode()
              + ": "
              + response.body());
    }
  }

  private HttpResponse<String> send(HttpRequest request) throws IOException {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + request.uri(), e);
    }
  }

  private static String encode(String pathSegment) {
    return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public void close() {
    // JDK 17's HttpClient has no close: its threads end once it is unreachable.
  }
}
