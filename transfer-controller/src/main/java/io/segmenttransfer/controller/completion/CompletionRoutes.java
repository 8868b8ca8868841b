package io.segmenttransfer.controller.completion;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.segmenttransfer.controller.ControllerState;
import io.segmenttransfer.controller.DownloadUrls;
import io.segmenttransfer.controller.HttpJson;
import io.segmenttransfer.controller.MultipartParser;
import io.segmenttransfer.controller.api.CompletionRequest;
import io.segmenttransfer.controller.api.CompletionResponse;
import io.segmenttransfer.controller.api.CompletionStatus;
import io.segmenttransfer.core.archive.ArchiveLimits;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.SafeName;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.http.PathParameters;
import io.segmenttransfer.http.QueryParameters;
import io.segmenttransfer.http.limits.ListenerLimits;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.function.BiFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * The completion protocol's routes at the controller root, as Pinot's lead controller serves them:
 * {@code GET /segmentConsumed}, {@code /segmentCommitStart}, {@code /segmentStoppedConsuming},
 * {@code /extendBuildTime}; {@code POST /segmentCommitEndWithMetadata} (two multipart parts), and
 * the older {@code POST /segmentUpload}, {@code /segmentCommitEnd} and {@code /segmentCommit}; plus
 * this project's {@code PUT /segments/{t}/{s}/downloadUrl} ({@link DownloadUrlUpdate}).
 *
 * <p>Answers are {@link CompletionResponse} JSON with status 200, {@code FAILED} included, as Pinot
 * answers; only a query string without a segment name or instance (or with a number that is not
 * one) is a 400.
 */
public final class CompletionRoutes {

  /** Optional: the table, when the segment name does not say it. */
  static final String TABLE_NAME = "tableName";

  private final SegmentCompletion completion;
  private final ArchiveIntake intake;
  private final DownloadUrlUpdate downloadUrl;
  private final CompletionConfig config;

  private CompletionRoutes(
      SegmentCompletion completion,
      ArchiveIntake intake,
      DownloadUrlUpdate downloadUrl,
      CompletionConfig config) {
    this.completion = completion;
    this.intake = intake;
    this.downloadUrl = downloadUrl;
    this.config = config;
  }

  /**
   * @param deepStore where the older forms store archives ({@code DeepStoreLayout}'s key)
   * @param scheduler where archives are inspected (it must allow blocking calls)
   * @param clock the time elections and build deadlines are measured with
   * @param downloadUrls the rule that turns a committed archive's location into its download URL
   */
  public static CompletionRoutes create(
      ControllerState state,
      SegmentStores stores,
      URI deepStore,
      DownloadUrls downloadUrls,
      ArchiveLimits limits,
      Scheduler scheduler,
      CompletionConfig config,
      Clock clock) {
    return new CompletionRoutes(
        new SegmentCompletion(state, config, clock, deepStore, downloadUrls),
        new ArchiveIntake(stores, deepStore, limits, scheduler),
        new DownloadUrlUpdate(state, downloadUrls),
        config);
  }

  public void register(HttpServerRoutes routes) {
    routes
        .get("/segmentConsumed", answer(completion::consumed))
        .get("/segmentCommitStart", answer(completion::commitStart))
        .get("/segmentStoppedConsuming", answer(completion::stoppedConsuming))
        .get("/extendBuildTime", answer(completion::extendBuildTime))
        .post("/segmentCommitEndWithMetadata", answer(this::commitEndWithMetadata))
        .post("/segmentUpload", answer(this::upload))
        .post("/segmentCommitEnd", answer(this::commitEnd))
        .post("/segmentCommit", answer(this::commit))
        .put(
            "/segments/{tableNameWithType}/{segmentName}/downloadUrl",
            HttpJson.handler(downloadUrl::handle));
  }

  @FunctionalInterface
  private interface Call {
    Mono<CompletionResponse> apply(CompletionRequest request, String tableName);
  }

  @FunctionalInterface
  private interface BodyCall {
    Mono<CompletionResponse> apply(
        HttpServerRequest http, CompletionRequest request, String tableName);
  }

  private static BiFunction<HttpServerRequest, HttpServerResponse, Mono<Void>> answer(Call call) {
    return answer((http, request, table) -> call.apply(request, table));
  }

  private static BiFunction<HttpServerRequest, HttpServerResponse, Mono<Void>> answer(
      BodyCall call) {
    return HttpJson.handler(
        (http, response) -> {
          // Unparseable (no name or instance): 400 from the handler; anything later is a FAILED
          // answer.
          CompletionRequest request = CompletionRequest.fromQuery(QueryParameters.of(http));
          // The names become state keys and file names: the one rule, before any use.
          SafeName.check("query parameter " + CompletionRequest.NAME, request.segmentName());
          SafeName.check("query parameter " + CompletionRequest.INSTANCE, request.instance());
          String table = PathParameters.queryName(http, TABLE_NAME);
          String path = new QueryStringDecoder(http.uri()).path();
          return call.apply(http, request, table)
              .onErrorResume(e -> Mono.just(SegmentCompletion.failed(path, request, e.toString())))
              .flatMap(answer -> HttpJson.ok(response, answer.toJson()));
        });
  }

  /**
   * The crypter a committer encrypted its asynchronous deep-store upload with (this project's
   * parameter: the two metadata parts stay byte for byte the segment's files), recorded as {@code
   * segment.crypter}.
   */
  static final String CRYPTER = "crypter";

  /**
   * Split commit's end: the two files as multipart parts, the archive already uploaded (or not:
   * peer://).
   */
  private Mono<CompletionResponse> commitEndWithMetadata(
      HttpServerRequest http, CompletionRequest request, String tableName) {
    return Mono.defer(
        () -> {
          SegmentId id = SegmentCompletion.segment(request, tableName);
          MetadataParts parts = new MetadataParts(id.toString(), config.maxMetadataBytes());
          MultipartParser parser =
              new MultipartParser(boundary(http), parts, ListenerLimits.of(http));
          return http.receive()
              .doOnNext(parser::feed)
              .then(
                  Mono.fromCallable(
                      () -> {
                        parser.finish();
                        return parts.metadata().withCrypter(HttpJson.query(http, CRYPTER));
                      }))
              .flatMap(
                  metadata ->
                      completion.commitEnd(
                          "segmentCommitEndWithMetadata", request, id, metadata, null));
        });
  }

  /**
   * The older split commit's upload: the committer sends the archive, stored at DeepStoreLayout's
   * key.
   */
  private Mono<CompletionResponse> upload(
      HttpServerRequest http, CompletionRequest request, String tableName) {
    return Mono.defer(
        () -> {
          SegmentId id = SegmentCompletion.segment(request, tableName);
          completion.requireCommitter(id, request.instance());
          return intake
              .store(id, archiveBytes(http))
              .map(
                  stored ->
                      CompletionResponse.of(
                              CompletionStatus.UPLOAD_SUCCESS, request.streamPartitionMsgOffset())
                          .withSegmentLocation(stored.location().toString()));
        });
  }

  /**
   * The older split commit's end: metadata read out of what segmentUpload stored at {@code
   * location}.
   */
  private Mono<CompletionResponse> commitEnd(
      HttpServerRequest http, CompletionRequest request, String tableName) {
    return Mono.defer(
        () -> {
          SegmentId id = SegmentCompletion.segment(request, tableName);
          completion.requireCommitter(id, request.instance());
          if (request.location() == null) {
            throw new InvalidRequestException(id.toString(), "segmentCommitEnd without a location");
          }
          return http.receive()
              .then(intake.read(id, request.location()))
              .flatMap(
                  stored ->
                      completion.commitEnd(
                          "segmentCommitEnd",
                          withSize(request, stored),
                          id,
                          stored.metadata(),
                          stored.location()));
        });
  }

  /**
   * The oldest form: commit start, upload and commit end in one multipart request carrying the
   * archive.
   */
  private Mono<CompletionResponse> commit(
      HttpServerRequest http, CompletionRequest request, String tableName) {
    return completion
        .commitStart(request, tableName)
        .flatMap(
            start -> {
              if (start.status() != CompletionStatus.COMMIT_CONTINUE) {
                return Mono.just(start);
              }
              SegmentId id = SegmentCompletion.segment(request, tableName);
              return intake
                  .store(id, archiveBytes(http))
                  .flatMap(
                      stored ->
                          completion.commitEnd(
                              "segmentCommit",
                              withSize(request, stored).withLocation(stored.location().toString()),
                              id,
                              stored.metadata(),
                              stored.location()));
            });
  }

  private static CompletionRequest withSize(
      CompletionRequest request, ArchiveIntake.Stored stored) {
    return request.segmentSizeBytes() > 0
        ? request
        : request.withSizes(stored.size(), request.rowCount(), request.buildTimeMillis());
  }

  private static String boundary(HttpServerRequest http) {
    String boundary =
        MultipartParser.boundary(http.requestHeaders().get(HttpHeaderNames.CONTENT_TYPE));
    if (boundary == null) {
      throw new InvalidRequestException(null, "expected a multipart/form-data body");
    }
    return boundary;
  }

  /**
   * The archive: the file part of a multipart body, copied out of Netty's buffers as it arrives.
   */
  private static Flux<ByteBuffer> archiveBytes(HttpServerRequest http) {
    String boundary = boundary(http);
    return Flux.defer(
        () -> {
          MultipartParser parser = new MultipartParser(boundary, null, ListenerLimits.of(http));
          return http.receive()
              .<ByteBuffer>handle(
                  (buf, sink) -> {
                    ByteBuffer part = parser.feed(buf);
                    if (part != null) {
                      sink.next(part);
                    }
                  })
              .concatWith(Mono.fromRunnable(parser::finish));
        });
  }
}
