package io.segmenttransfer.controller.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segmenttransfer.core.cluster.InstanceInfo;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.http.HttpErrors;
import io.segmenttransfer.http.tls.SecuritySettings;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Asks a server to upload its copy of a segment to its deep store: {@code POST
 * http(s)://<host>:<adminPort>/segments/<tableNameWithType>/<segment>/upload?uploadTimeoutMs=N},
 * the endpoint Pinot's servers and ours both have, answered {@code
 * {"segmentName","crc","downloadUrl"}}. Pinot's newer {@code uploadLLCSegment} gives the same
 * answer but only our servers are asked here, and they serve {@code upload}. Failures are the
 * project's errors through transfer-http's {@link HttpErrors}.
 */
final class ReplicaUploadClient {

  /** Beyond the replica's own timeout, so its 504 arrives before the controller gives up. */
  static final Duration ANSWER_SLACK = Duration.ofSeconds(30);

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the replica uploaded: its CRC and the archive's deep-store URI. */
  record Uploaded(long crc, URI archive) {}

  private final HttpClient http;
  private final Duration uploadTimeout;

  /**
   * @param security the controller's client side: its trust, client certificate and credentials for
   *     replicas that serve HTTPS (each replica's registration says whether it does)
   */
  ReplicaUploadClient(Duration uploadTimeout, SecuritySettings security) {
    // No pooling: uploads are rare, and a pooled connection to a restarted server would fail the
    // first try.
    this.http =
        security
            .client()
            .configure(HttpClient.newConnection())
            .responseTimeout(uploadTimeout.plus(ANSWER_SLACK));
    this.uploadTimeout = uploadTimeout;
  }

  /** Lazy; emits what the replica uploaded, or fails with what the replica or the exchange said. */
  Mono<Uploaded> upload(InstanceInfo replica, SegmentId segment) {
    return Mono.defer(
        () -> {
          URI uri = uploadUri(replica, segment, uploadTimeout);
          return http.post()
              .uri(uri) // not the String overload: reactor-netty#4357 misreads one-digit ports
              .responseSingle(
                  (response, content) ->
                      HttpErrors.answerText(uri, response, content)
                          .flatMap(text -> Mono.fromCallable(() -> read(uri, segment, text))))
              .onErrorMap(e -> HttpErrors.forFailure(uri, e));
        });
  }

  /**
   * The replica's upload URL: over https when it registered an HTTPS admin port ({@link
   * InstanceInfo#adminUri}), whatever the controller itself serves.
   */
  static URI uploadUri(InstanceInfo replica, SegmentId segment, Duration timeout) {
    // The multi-argument URI constructor quotes what a name may hold and a path may not.
    return replica.adminUri(
        "/segments/" + segment.table() + "/" + segment.segmentName() + "/upload",
        "uploadTimeoutMs=" + timeout.toMillis());
  }

  /** The answer, checked: it must name this segment, a CRC and an absolute deep-store URI. */
  private static Uploaded read(URI uri, SegmentId segment, String text) {
    try {
      JsonNode body = JSON.readTree(text);
      String name = body.path("segmentName").asText(null);
      if (!segment.segmentName().equals(name)) {
        throw new IOException("it names segment '" + name + "'");
      }
      long crc = Long.parseLong(body.path("crc").asText(""));
      URI archive = URI.create(body.path("downloadUrl").asText(""));
      if (crc < 0 || !archive.isAbsolute()) {
        throw new IOException("crc " + crc + ", downloadUrl '" + archive + "'");
      }
      return new Uploaded(crc, archive);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidRequestException(
          segment.segmentName(),
          uri
              + " answered an unusable upload result ("
              + e.getMessage()
              + "): "
              + text.substring(0, Math.min(text.length(), 300)),
          e);
    }
  }
}
