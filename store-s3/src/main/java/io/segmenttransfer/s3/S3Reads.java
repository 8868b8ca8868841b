package io.segmenttransfer.s3;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaders;
import io.segmenttransfer.http.ClientWarmUp;
import io.segmenttransfer.http.NettyBuffers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.GetObjectPresignRequest;
import software.amazon.awssdk.services.s3.presigner.model.HeadObjectPresignRequest;

/**
 * Ranged GETs and HEADs of S3 objects on reactor-netty, signed by the SDK's presigner.
 *
 * <p>Why not the SDK's own client for the bytes: its Netty client copies every 8 KiB buffer of the
 * HTTP decoder into a fresh heap buffer and hands it through several publishers (profiled: 42% of
 * its event loop allocating those copies, the store's warm transfer 1.8-2.0 times the file's), and
 * building it costs a fresh JVM about a second (3,370 classes) before the first byte. Here sockets
 * are read up to 256 KiB at a time ({@link NettyBuffers#withChunkSizedReads}), pooled buffers go
 * straight into the store's 256 KiB chunks (one copy), and a command that only reads never builds
 * the SDK client. The presigner resolves the endpoint (path style or virtual host, regions, FIPS,
 * dual stack) and signs exactly as the client would; each GET is signed on its own (query-string
 * SigV4, the range and {@code If-Match} among the signed headers), so no signature outlives {@link
 * #SIGNATURE_LIFETIME}.
 */
final class S3Reads implements AutoCloseable {

  /** How long one GET's signature is valid: it is used once, right away. */
  static final Duration SIGNATURE_LIFETIME = Duration.ofMinutes(15);

  private static final Pattern ERROR_CODE = Pattern.compile("<Code>([^<]{1,100})</Code>");

  /** Largest S3 error body read for its error code. */
  private static final int MAX_ERROR_BODY = 64 * 1024;

  /** What a ranged GET answered before its body: status and the headers the reader needs. */
  record Head(int status, @Nullable String contentRange, @Nullable String eTag, long length) {}

  /** Built on a daemon thread of its own (see {@link #warmUp}); awaited where signing blocks. */
  private final CompletableFuture<S3Presigner> presigner = new CompletableFuture<>();

  private final ConnectionProvider provider;
  private final HttpClient http;

  S3Reads(S3Config config) {
    this.provider =
        ConnectionProvider.builder("segment-s3")
            .maxConnections(config.maxConnections())
            .pendingAcquireMaxCount(-1)
            .build();
    this.http =
        NettyBuffers.withChunkSizedReads(HttpClient.create(provider))
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
            // Between reads of one response, as the SDK's read timeout: a stalled body fails.
            .responseTimeout(config.readTimeout())
            // Archives are read byte for byte.
            .compress(false);
    warmUp(config);
  }

  /**
   * In a fresh JVM the presigner (the SDK's endpoint rules, signer and credential chain), its first
   * signature and the HTTP client's event loops and resolver take a large part of a cold read's
   * time before the first request. Two daemon threads ready them at once (the first request needs
   * both: it is signed, then sent), overlapping what the caller builds before its first read; on
   * one thread the client's warm-up waited for the presigner's (a cold {@code extract}'s first
   * request went out about 0.06 s later, measured with class-load timelines). Nothing is lost when
   * the warm-up signature fails (no credentials yet): the first real one fails the same way, on the
   * read that needs it.
   */
  private void warmUp(S3Config config) {
    daemon(
        "segment-s3-warmup",
        () -> {
          S3Presigner built;
          try {
            built = build(config);
            presigner.complete(built);
          } catch (RuntimeException | Error e) {
            presigner.completeExceptionally(e);
            return;
          }
          try {
            // What a download signs first: a ranged GET (it needs no HEAD).
            built.presignGetObject(
                GetObjectPresignRequest.builder()
                    .signatureDuration(SIGNATURE_LIFETIME)
                    .getObjectRequest(
                        GetObjectRequest.builder()
                            .bucket("warm-up")
                            .key("warm-up")
                            .range("bytes=0-0")
                            .build())
                    .build());
          } catch (RuntimeException e) {
            // The first read signs for itself.
          }
        });
    daemon(
        "segment-s3-client-warmup",
        () -> {
          try {
            // TLS only for an https endpoint (AWS itself when none is given).
            ClientWarmUp.run(
                http,
                config.endpoint() == null
                    || "https".equalsIgnoreCase(config.endpoint().getScheme()));
          } catch (RuntimeException e) {
            // The first read connects for itself.
          }
        });
  }

  private static void daemon(String name, Runnable work) {
    Thread thread = new Thread(work, name);
    thread.setDaemon(true);
    thread.start();
  }

  private static S3Presigner build(S3Config config) {
    S3Presigner.Builder builder =
        S3Presigner.builder()
            .region(Region.of(config.region()))
            .credentialsProvider(S3Clients.credentials(config))
            .serviceConfiguration(
                S3Configuration.builder()
                    .pathStyleAccessEnabled(config.pathStyle())
                    // Read once: by default every signature re-reads the profile files for the
                    // S3 settings they may hold (ARN region, multi-region access points).
                    .profileFile(ProfileFile.defaultProfileFile())
                    .build());
    if (config.endpoint() != null) {
      builder.endpointOverride(config.endpoint());
    }
    return builder.build();
  }

  /** The presigner, waiting for its build: only on threads that may block. */
  private S3Presigner presigner() {
    return presigner.join();
  }

  /**
   * One GET of {@code [from, toInclusive]}: a {@link Head} first, then the body's Netty buffers
   * (released by reactor-netty when {@code onNext} returns: retain what is kept). A status other
   * than 200/206 is an error mapped by {@link S3Errors} (404 not found, 412 changed, 416 past the
   * end, 5xx and throttling unavailable with their Retry-After). Cancelling closes the connection.
   */
  Flux<Object> get(S3Location location, long from, long toInclusive, @Nullable String ifMatch) {
    // Signing reads the credentials, which a provider may refresh with blocking I/O (a profile
    // file, the instance metadata service): never on an event loop.
    return Mono.fromCallable(() -> sign(location, from, toInclusive, ifMatch))
        .subscribeOn(Schedulers.boundedElastic())
        .flatMapMany(request -> send(location, request))
        .onErrorMap(e -> S3Errors.map(location.uri(), e));
  }

  private SdkHttpRequest sign(
      S3Location location, long from, long toInclusive, @Nullable String ifMatch) {
    GetObjectRequest get =
        GetObjectRequest.builder()
            .bucket(location.bucket())
            .key(location.key())
            .range("bytes=" + from + "-" + toInclusive)
            .ifMatch(ifMatch)
            .build();
    return presigner()
        .presignGetObject(
            GetObjectPresignRequest.builder()
                .signatureDuration(SIGNATURE_LIFETIME)
                .getObjectRequest(get)
                .build())
        .httpRequest();
  }

  /**
   * HEAD: the object's size and ETag, as {@link Head} with status 200. Errors as {@link #get}'s
   * (404 not found, ...).
   */
  Mono<Head> head(S3Location location) {
    return Mono.fromCallable(() -> signHead(location))
        .subscribeOn(Schedulers.boundedElastic())
        .flatMap(
            request ->
                signed(request)
                    .head()
                    .uri(request.getUri())
                    .response(
                        (response, body) ->
                            body.then(
                                Mono.defer(
                                    () -> {
                                      int status = response.status().code();
                                      HttpHeaders headers = response.responseHeaders();
                                      if (status != 200) {
                                        return Mono.error(failure(status, null, headers));
                                      }
                                      return Mono.just(
                                          new Head(
                                              status,
                                              null,
                                              headers.get("ETag"),
                                              length(headers.get("Content-Length"))));
                                    })))
                    .single())
        .onErrorMap(e -> S3Errors.map(location.uri(), e));
  }

  private SdkHttpRequest signHead(S3Location location) {
    return presigner()
        .presignHeadObject(
            HeadObjectPresignRequest.builder()
                .signatureDuration(SIGNATURE_LIFETIME)
                .headObjectRequest(
                    HeadObjectRequest.builder()
                        .bucket(location.bucket())
                        .key(location.key())
                        .build())
                .build())
        .httpRequest();
  }

  /** The client sending exactly the headers the signature covers. */
  private HttpClient signed(SdkHttpRequest request) {
    return http.headers(
        headers -> {
          for (Map.Entry<String, List<String>> header : request.headers().entrySet()) {
            headers.set(header.getKey(), header.getValue());
          }
        });
  }

  private Flux<Object> send(S3Location location, SdkHttpRequest request) {
    return signed(request)
        .get()
        .uri(request.getUri())
        .response(
            (response, body) -> {
              int status = response.status().code();
              HttpHeaders headers = response.responseHeaders();
              if (status == 200 || status == 206) {
                Head head =
                    new Head(
                        status,
                        headers.get("Content-Range"),
                        headers.get("ETag"),
                        length(headers.get("Content-Length")));
                return Flux.concat(Mono.just(head), body);
              }
              return body.aggregate()
                  .asString()
                  .map(text -> text.length() > MAX_ERROR_BODY ? "" : text)
                  .defaultIfEmpty("")
                  .flatMapMany(text -> Flux.error(failure(status, errorCode(text), headers)));
            });
  }

  /**
   * The failure as the SDK would have raised it, so that one mapping ({@link S3Errors}) serves both
   * clients: status, S3 error code and the {@code Retry-After} header.
   */
  private static AwsServiceException failure(
      int status, @Nullable String code, HttpHeaders headers) {
    SdkHttpResponse.Builder response = SdkHttpResponse.builder().statusCode(status);
    String retryAfter = headers.get("Retry-After");
    if (retryAfter != null) {
      response.putHeader("Retry-After", retryAfter);
    }
    return AwsServiceException.builder()
        .statusCode(status)
        .message("S3 answered " + status + (code == null ? "" : " " + code))
        .awsErrorDetails(
            AwsErrorDetails.builder()
                .errorCode(code)
                .serviceName("S3")
                .sdkHttpResponse(response.build())
                .build())
        .build();
  }

  private static @Nullable String errorCode(String body) {
    Matcher m = ERROR_CODE.matcher(body);
    return m.find() ? m.group(1) : null;
  }

  private static long length(@Nullable String value) {
    if (value == null) {
      return -1;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    try {
      presigner.thenAccept(S3Presigner::close);
    } finally {
      provider.dispose();
    }
  }
}
