package io.segmenttransfer.controller.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.segmenttransfer.controller.api.CompletionRequest;
import io.segmenttransfer.controller.api.CompletionResponse;
import io.segmenttransfer.controller.api.ControllerJson;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.http.HttpErrors;
import io.segmenttransfer.http.tls.ClientSecurity;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * The server's side of Pinot's segment completion protocol (PROTOCOL.md, "Segment completion
 * protocol"): the calls a committing server sends to the lead controller, at the controller's root
 * as Pinot serves them. Each call is lazy, sends one request per subscription and emits the
 * controller's {@link CompletionResponse}; a NOT_LEADER or FAILED answer is a response, not an
 * error. Errors are transport failures and non-2xx answers, mapped through transfer-http's {@link
 * HttpErrors} like every HTTP client's (5xx, 408, 429 and connection failures retryable).
 *
 * <p>Multipart bodies are built here, not by reactor-netty's form encoder, so the archive streams
 * through without a temporary file and the two metadata parts carry the files' bytes exactly.
 */
public final class CompletionClient {

  /**
   * Longest wait for an answer; an upload's body may take longer to send (no write timeout here).
   */
  public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Names of the two parts of {@code segmentCommitEndWithMetadata}, as Pinot's controller reads
   * them.
   */
  public static final String METADATA_PART = "metadata.properties";

  public static final String CREATION_META_PART = "creation.meta";

  /**
   * This project's extension of the commit-end calls: the crypter the archive in the deep store is
   * encrypted with, recorded by the controller as {@code segment.crypter} so the read path decrypts
   * it. Sent only when the table names one; Pinot's controller ignores unknown parameters.
   */
  public static final String CRYPTER = "crypter";

  private final HttpClient http;
  private final String baseUrl;

  public static CompletionClient create(String baseUrl) {
    return create(baseUrl, ClientSecurity.none());
  }

  /** A client with {@code security}'s TLS settings and credentials. */
  public static CompletionClient create(String baseUrl, ClientSecurity security) {
    return new CompletionClient(security.configure(HttpClient.create()), baseUrl);
  }

  /**
   * @param baseUrl {@code http://host:port} of the (lead) controller
   */
  public CompletionClient(HttpClient http, String baseUrl) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.baseUrl = base;
    this.http = http.baseUrl(base).responseTimeout(DEFAULT_RESPONSE_TIMEOUT);
  }

  public String baseUrl() {
    return baseUrl;
  }

  /** {@code GET /segmentConsumed}: the server reached the end criteria at its offset. */
  public Mono<CompletionResponse> segmentConsumed(CompletionRequest request) {
    return get("/segmentConsumed", request);
  }

  /** {@code GET /segmentCommitStart}: COMMIT_CONTINUE lets the committer go on. */
  public Mono<CompletionResponse> segmentCommitStart(CompletionRequest request) {
    return get("/segmentCommitStart", request);
  }

  /** {@code GET /segmentStoppedConsuming} with the request's {@code reason}. */
  public Mono<CompletionResponse> segmentStoppedConsuming(CompletionRequest request) {
    return get("/segmentStoppedConsuming", request);
  }

  /** {@code GET /extendBuildTime} with {@code extraTimeSec}. */
  public Mono<CompletionResponse> extendBuildTime(CompletionRequest request) {
    return get("/extendBuildTime", request);
  }

  /**
   * {@code GET /segmentCommitEnd} (the older split commit, after {@link #segmentUpload}): {@code
   * location} set.
   */
  public Mono<CompletionResponse> segmentCommitEnd(
      CompletionRequest request, @Nullable String crypter) {
    return send(HttpMethod.GET, "/segmentCommitEnd", request, crypter, null, null);
  }

  /**
   * {@code POST /segmentCommitEndWithMetadata}: the commit with the archive's {@code location} (and
   * {@code segmentSizeBytes}) in the query and a multipart body of exactly two parts, {@value
   * #METADATA_PART} and {@value #CREATION_META_PART}, holding those files' bytes.
   *
   * @param crypter the table's crypter the deep-store archive is encrypted with, or null
   */
  public Mono<CompletionResponse> segmentCommitEndWithMetadata(
      CompletionRequest request,
      byte[] metadataProperties,
      byte[] creationMeta,
      @Nullable String crypter) {
    return Mono.defer(
        () -> {
          Multipart body = new Multipart();
          Flux<ByteBuf> parts =
              Flux.concat(
                  body.part(METADATA_PART, Flux.just(ByteBuffer.wrap(metadataProperties))),
                  body.part(CREATION_META_PART, Flux.just(ByteBuffer.wrap(creationMeta))),
                  body.end());
          return send(
              HttpMethod.POST,
              "/segmentCommitEndWithMetadata",
              request,
              crypter,
              body.contentType(),
              parts);
        });
  }

  /**
   * {@code POST /segmentUpload}: the archive as one multipart file part, streamed; the controller
   * answers UPLOAD_SUCCESS with the {@code segmentLocation} to commit with.
   */
  public Mono<CompletionResponse> segmentUpload(
      CompletionRequest request, Flux<ByteBuffer> archive) {
    return Mono.defer(
        () -> {
          Multipart body = new Multipart();
          Flux<ByteBuf> parts = Flux.concat(body.part(request.segmentName(), archive), body.end());
          return send(HttpMethod.POST, "/segmentUpload", request, null, body.contentType(), parts);
        });
  }

  /**
   * {@code POST /segmentCommit}: Pinot's original one-step commit, the archive as one multipart
   * part.
   */
  public Mono<CompletionResponse> segmentCommit(
      CompletionRequest request, Flux<ByteBuffer> archive, @Nullable String crypter) {
    return Mono.defer(
        () -> {
          Multipart body = new Multipart();
          Flux<ByteBuf> parts = Flux.concat(body.part(request.segmentName(), archive), body.end());
          return send(
              HttpMethod.POST, "/segmentCommit", request, crypter, body.contentType(), parts);
        });
  }

  private Mono<CompletionResponse> get(String path, CompletionRequest request) {
    return send(HttpMethod.GET, path, request, null, null, null);
  }

  private Mono<CompletionResponse> send(
      HttpMethod method,
      String path,
      CompletionRequest request,
      @Nullable String crypter,
      @Nullable String contentType,
      @Nullable Publisher<ByteBuf> body) {
    String query = request.toQuery();
    if (crypter != null && !crypter.isBlank()) {
      query += "&" + CRYPTER + "=" + URLEncoder.encode(crypter, StandardCharsets.UTF_8);
    }
    String pathAndQuery = path + "?" + query;
    URI uri = URI.create(baseUrl + pathAndQuery);
    HttpClient client =
        contentType == null
            ? http
            : http.headers(h -> h.set(HttpHeaderNames.CONTENT_TYPE, contentType));
    HttpClient.ResponseReceiver<?> sending =
        body == null ? client.request(method).uri(uri) : client.request(method).uri(uri).send(body);
    return sending
        .responseSingle(
            (response, content) ->
                HttpErrors.answerText(uri, response, content)
                    .flatMap(text -> Mono.fromCallable(() -> parse(path, text))))
        .onErrorMap(e -> HttpErrors.forFailure(uri, e));
  }

  private static CompletionResponse parse(String path, String text) {
    try {
      return CompletionResponse.fromJson(ControllerJson.MAPPER.readTree(text));
    } catch (IOException e) {
      throw new InvalidRequestException(
          null, "controller answered " + path + " with malformed JSON: " + e.getMessage(), e);
    }
  }

  /**
   * A {@code multipart/form-data} body built as it is sent: each part's bytes are wrapped, not
   * copied, and reactor-netty releases the wrappers once written.
   */
  private static final class Multipart {
    // Not UUID.randomUUID(): its SecureRandom may read /dev/urandom, and this runs on event loops.
    private final String boundary =
        "segment-transfer-"
            + Long.toHexString(ThreadLocalRandom.current().nextLong())
            + Long.toHexString(ThreadLocalRandom.current().nextLong());

    String contentType() {
      return "multipart/form-data; boundary=" + boundary;
    }

    Flux<ByteBuf> part(String name, Flux<ByteBuffer> content) {
      String safe = name.replace("\"", "").replace("\r", "").replace("\n", "");
      byte[] head =
          ("--"
                  + boundary
                  + "\r\nContent-Disposition: form-data; name=\""
                  + safe
                  + "\"; filename=\""
                  + safe
                  + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
              .getBytes(StandardCharsets.UTF_8);
      return Flux.concat(
          Mono.fromSupplier(() -> Unpooled.wrappedBuffer(head)),
          content.map(Unpooled::wrappedBuffer),
          Mono.fromSupplier(() -> Unpooled.wrappedBuffer(new byte[] {'\r', '\n'})));
    }

    Flux<ByteBuf> end() {
      return Mono.fromSupplier(
              () ->
                  Unpooled.wrappedBuffer(
                      ("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII)))
          .flux();
    }
  }
}
