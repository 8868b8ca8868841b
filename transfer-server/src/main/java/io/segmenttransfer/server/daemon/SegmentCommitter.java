package io.segmenttransfer.server.daemon;

import io.segmenttransfer.controller.api.CompletionRequest;
import io.segmenttransfer.controller.api.CompletionResponse;
import io.segmenttransfer.controller.api.CompletionStatus;
import io.segmenttransfer.controller.api.SegmentState;
import io.segmenttransfer.controller.api.TableConfig;
import io.segmenttransfer.controller.client.CompletionClient;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.crypto.SegmentCrypter;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SegmentTransferException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.local.LocalSegment;
import io.segmenttransfer.core.local.SegmentDataDirectory;
import io.segmenttransfer.core.segment.CreationMeta;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.store.DeepStoreLayout;
import io.segmenttransfer.core.stream.TransformedStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The committing server's side of Pinot's segment completion protocol, for a segment built on this
 * machine: install a verified copy in the data directory (peers can fetch it from then on), then
 * {@code segmentConsumed} until the controller decides, and, as the committer, {@code
 * segmentCommitStart} and the commit end, sending metadata first with the location {@code
 * peer://<segment>} (the archive is not uploaded yet), so the answer never waits for the upload;
 * the upload then records its URL with the controller. HOLD asks again after {@link
 * CommitConfig#holdWait()}; NOT_LEADER re-resolves the controller; FAILED and transport errors back
 * off; all of it bounded by {@link CommitConfig#deadline()}. Only COMMIT_SUCCESS commits: the
 * replica is reported ONLINE and the upload queued. KEEP keeps the local copy; DISCARD removes it
 * (the assignment follower then loads the committed one).
 */
final class SegmentCommitter {

  private static final Logger LOG = LoggerFactory.getLogger(SegmentCommitter.class);

  /** Pinot's metadata key of a realtime segment's end offset, the default offset of a commit. */
  static final String END_OFFSET_KEY = "segment.realtime.endOffset";

  static final String DEFAULT_OFFSET = "0";
  static final String METADATA_FILE = "metadata.properties";

  /** Pinot's location for a commit whose archive is on peers only (the controller stores ""). */
  static final String PEER_SCHEME = "peer://";

  /**
   * What a commit came to.
   *
   * @param status the controller's decision (COMMIT_SUCCESS, KEEP, DISCARD, CATCH_UP), or FAILED
   *     when none came within the deadline
   * @param downloadUrl the download URL the commit recorded: "" (peers only) for a split commit,
   *     the controller's location for a legacy one
   * @param uploadUrl where the background upload will put the archive (then recorded as the
   *     download URL), or null when none was queued
   * @param error why it failed, for FAILED
   */
  record Outcome(
      SegmentId segment,
      CompletionStatus status,
      String downloadUrl,
      @Nullable String uploadUrl,
      long crc,
      @Nullable String error) {}

  /** The small files of the installed copy the commit sends, and what they say. */
  private record CommitFiles(
      byte[] metadataProperties, byte[] creationMeta, long crc, long sizeBytes) {}

  /**
   * One round's result: a decision, or a wait before the next round (counted as a failure or not).
   */
  private record Step(
      @Nullable CompletionResponse decision,
      @Nullable String downloadUrl,
      Duration delay,
      boolean failure,
      @Nullable Throwable error,
      String what) {
    static Step done(CompletionResponse response, @Nullable String downloadUrl) {
      return new Step(response, downloadUrl, Duration.ZERO, false, null, response.status().name());
    }

    static Step hold(Duration wait) {
      return new Step(null, null, wait, false, null, "HOLD");
    }

    static Step retry(String what, @Nullable Throwable error) {
      return new Step(null, null, Duration.ZERO, true, error, what);
    }
  }

  private final Supplier<CompletionClient> leader;
  private final ControllerClient controller;
  private final SegmentDataDirectory directory;
  private final @Nullable DeepStoreLayout deepStore;
  private final AsyncDeepStoreUploader uploader;
  private final CrypterRegistry crypters;
  private final Supplier<String> instanceId;
  private final CommitConfig config;
  private final Scheduler scheduler;

  /**
   * @param leader resolves the lead controller's completion client; asked again after NOT_LEADER
   * @param deepStore where archives go; null commits with {@code peer://} and uploads nothing
   */
  SegmentCommitter(
      Supplier<CompletionClient> leader,
      ControllerClient controller,
      SegmentDataDirectory directory,
      @Nullable DeepStoreLayout deepStore,
      AsyncDeepStoreUploader uploader,
      CrypterRegistry crypters,
      Supplier<String> instanceId,
      CommitConfig config,
      Scheduler scheduler) {
    this.leader = leader;
    this.controller = controller;
    this.directory = directory;
    this.deepStore = deepStore;
    this.uploader = uploader;
    this.crypters = crypters;
    this.instanceId = instanceId;
    this.config = config;
    this.scheduler = scheduler;
  }

  /**
   * Commits the segment in {@code segmentDir} (left untouched) at {@code offset} (null: the
   * segment's {@code segment.realtime.endOffset}, else "0"). Completes with the outcome once the
   * controller decided or the deadline passed; errors only for a bad request or segment (not a
   * Pinot segment, CRC mismatch) or a controller refusal that no retry can fix.
   */
  Mono<Outcome> commit(SegmentId segment, Path segmentDir, @Nullable String offset) {
    return directory
        .adopt(segment, segmentDir)
        .then(readFiles(segment))
        .flatMap(
            files ->
                tableCrypter(segment)
                    .map(crypter -> crypter.orElse(""))
                    .flatMap(
                        crypter ->
                            negotiate(segment, files, offset, crypter.isEmpty() ? null : crypter))
                    .timeout(config.deadline(), scheduler)
                    .onErrorResume(
                        TimeoutException.class,
                        e ->
                            Mono.just(
                                new Outcome(
                                    segment,
                                    CompletionStatus.FAILED,
                                    "",
                                    null,
                                    files.crc(),
                                    "the controller did not decide within "
                                        + config.deadline()
                                        + " (commitDeadline)"))))
        .flatMap(this::settle);
  }

  /** After the decision: report, upload or remove as it says. */
  private Mono<Outcome> settle(Outcome outcome) {
    SegmentId segment = outcome.segment();
    return switch (outcome.status()) {
      case COMMIT_SUCCESS ->
          controller
              .reportState(instanceId.get(), segment, SegmentState.ONLINE)
              .onErrorResume(
                  e -> {
                    // The assignment follower reports it again once the controller assigns the
                    // segment here.
                    LOG.warn(
                        "committed {} but could not report it ONLINE yet: {}",
                        segment,
                        e.toString());
                    return Mono.empty();
                  })
              .thenReturn(outcome);
      case DISCARD -> directory.remove(segment).thenReturn(outcome);
      default -> Mono.just(outcome);
    };
  }

  private Mono<Outcome> negotiate(
      SegmentId segment,
      CommitFiles files,
      @Nullable String requestedOffset,
      @Nullable String crypter) {
    String offset =
        requestedOffset != null && !requestedOffset.isBlank()
            ? requestedOffset.trim()
            : endOffset(files);
    CompletionRequest request =
        CompletionRequest.of(segment.segmentName(), instanceId.get(), offset);
    AtomicReference<CompletionClient> client = new AtomicReference<>(leader.get());
    return loop(segment, files, request, crypter, client, 1)
        .map(
            step -> {
              CompletionStatus status = step.decision().status();
              String uploadUrl = null;
              if (status == CompletionStatus.COMMIT_SUCCESS
                  && config.protocol() == CommitConfig.Protocol.SPLIT
                  && deepStore != null) {
                URI target = deepStore.archive(segment, Codec.GZIP);
                uploader.submit(new AsyncDeepStoreUploader.Job(segment, target, crypter));
                uploadUrl = target.toString();
              }
              return new Outcome(
                  segment,
                  status,
                  step.downloadUrl() == null ? "" : step.downloadUrl(),
                  uploadUrl,
                  files.crc(),
                  null);
            });
  }

  /** Rounds until a decision; the caller's deadline cuts it short. */
  private Mono<Step> loop(
      SegmentId segment,
      CommitFiles files,
      CompletionRequest request,
      @Nullable String crypter,
      AtomicReference<CompletionClient> client,
      int attempt) {
    return round(segment, files, request, crypter, client)
        .onErrorResume(
            error -> retryable(error) ? Mono.just(Step.retry("error", error)) : Mono.error(error))
        .flatMap(
            step -> {
              if (step.decision() != null) {
                return Mono.just(step);
              }
              Duration wait =
                  step.failure()
                      ? config
                          .controllerRetry()
                          .backoff(
                              attempt + 1,
                              step.error() == null
                                  ? new IllegalStateException(step.what())
                                  : step.error())
                      : step.delay();
              LOG.info(
                  "commit of {}: {}, asking again in {}",
                  segment,
                  step.error() == null ? step.what() : step.error().toString(),
                  wait);
              return Mono.delay(wait, scheduler)
                  .then(
                      loop(
                          segment,
                          files,
                          request,
                          crypter,
                          client,
                          step.failure() ? attempt + 1 : attempt));
            });
  }

  private Mono<Step> round(
      SegmentId segment,
      CommitFiles files,
      CompletionRequest request,
      @Nullable String crypter,
      AtomicReference<CompletionClient> client) {
    return Mono.defer(() -> client.get().segmentConsumed(request))
        .flatMap(
            consumed ->
                switch (consumed.status()) {
                  case COMMIT ->
                      client
                          .get()
                          .segmentCommitStart(request)
                          .flatMap(
                              start ->
                                  switch (start.status()) {
                                    case COMMIT_CONTINUE ->
                                        commitEnd(segment, files, request, crypter, client.get());
                                    default -> Mono.just(other(start, client));
                                  });
                  case KEEP, DISCARD, CATCH_UP -> Mono.just(Step.done(consumed, null));
                  default -> Mono.just(other(consumed, client));
                });
  }

  /**
   * HOLD waits; NOT_LEADER re-resolves the controller; anything else (FAILED, unexpected) backs
   * off.
   */
  private Step other(CompletionResponse response, AtomicReference<CompletionClient> client) {
    if (response.status() == CompletionStatus.HOLD) {
      return Step.hold(config.holdWait());
    }
    if (response.status() == CompletionStatus.NOT_LEADER) {
      client.set(leader.get());
    }
    return Step.retry(response.status().name(), null);
  }

  private Mono<Step> commitEnd(
      SegmentId segment,
      CommitFiles files,
      CompletionRequest request,
      @Nullable String crypter,
      CompletionClient client) {
    if (config.protocol() == CommitConfig.Protocol.LEGACY) {
      // The older controller takes the archive itself and reads it (metadata, limits), so it gets
      // the plain archive, streamed under the read lock; storing it encrypted is the controller's
      // call.
      return directory
          .withSegment(segment, local -> client.segmentUpload(request, archive(local, null)))
          .singleOrEmpty()
          .flatMap(
              uploaded -> {
                if (uploaded.status() != CompletionStatus.UPLOAD_SUCCESS
                    || uploaded.segmentLocation() == null) {
                  return Mono.just(other(uploaded, new AtomicReference<>(client)));
                }
                String location = uploaded.segmentLocation();
                return client
                    .segmentCommitEnd(
                        request.withLocation(location).withSizes(files.sizeBytes(), 0, 0), null)
                    .map(
                        end ->
                            end.status() == CompletionStatus.COMMIT_SUCCESS
                                ? Step.done(end, location)
                                : other(end, new AtomicReference<>(client)));
              });
    }
    // Metadata first: the archive is not in the deep store yet, so the commit names peers (the
    // controller records ""), and the background upload records its URL once the archive is there.
    // A URI committed before its object exists would stay wrong forever if the upload failed,
    // hidden from the repair task, which looks for "".
    String location = PEER_SCHEME + segment.segmentName();
    // A commit end whose answer is lost (a dropped connection, a controller restarting) is sent
    // again as it was: the controller answers it once more (COMMIT_SUCCESS if it was decided),
    // where
    // starting the round over would hear KEEP and leave this committer's upload undone.
    return Mono.defer(
            () ->
                client.segmentCommitEndWithMetadata(
                    request.withLocation(location).withSizes(files.sizeBytes(), 0, 0),
                    files.metadataProperties(),
                    files.creationMeta(),
                    deepStore == null ? null : crypter))
        .retryWhen(controllerRetries())
        .map(
            end ->
                end.status() == CompletionStatus.COMMIT_SUCCESS
                    ? Step.done(end, "")
                    : other(end, new AtomicReference<>(client)));
  }

  private reactor.core.publisher.Flux<java.nio.ByteBuffer> archive(
      LocalSegment local, @Nullable String crypterName) {
    SegmentCrypter crypter = crypters.resolve(crypterName, local.segment().segmentName());
    return TransformedStream.apply(
        local.archive(Codec.GZIP, scheduler),
        () -> crypter.newEncryptor(local.segment().segmentName()));
  }

  /**
   * The table's crypter ({@code segmentsConfig.crypterClassName}), checked against this server's
   * crypters before anything is sent: a table whose archives this server cannot encrypt must not
   * commit a plain one. A table the controller does not know has none.
   */
  private Mono<java.util.Optional<String>> tableCrypter(SegmentId segment) {
    return Mono.defer(() -> controller.table(segment.table().toString()))
        .map(
            configs ->
                java.util.Optional.ofNullable(configs.get(segment.table().type()))
                    .map(TableConfig::crypterClassName))
        .onErrorResume(SourceNotFoundException.class, e -> Mono.just(java.util.Optional.empty()))
        .retryWhen(controllerRetries())
        .doOnNext(name -> name.ifPresent(n -> crypters.resolve(n, segment.segmentName())));
  }

  /**
   * Retryable failures of one controller call, retried with the controller backoff (the commit's
   * deadline bounds them); others fail at once.
   */
  private reactor.util.retry.Retry controllerRetries() {
    return reactor.util.retry.Retry.from(
        signals ->
            signals.concatMap(
                signal ->
                    retryable(signal.failure())
                        ? Mono.delay(
                            config
                                .controllerRetry()
                                .backoff(
                                    (int) Math.min(Integer.MAX_VALUE, signal.totalRetries() + 2),
                                    signal.failure()),
                            scheduler)
                        : Mono.error(signal.failure())));
  }

  private static boolean retryable(Throwable error) {
    return error instanceof SegmentTransferException e && e.isRetryable();
  }

  /** Reads metadata.properties and creation.meta of the installed copy, under its read lock. */
  private Mono<CommitFiles> readFiles(SegmentId segment) {
    return directory
        .withSegment(segment, local -> Mono.fromCallable(() -> read(local)).subscribeOn(scheduler))
        .singleOrEmpty()
        .switchIfEmpty(
            Mono.error(
                () ->
                    new InvalidRequestException(
                        segment.segmentName(),
                        "segment "
                            + segment
                            + " vanished from the data directory while it was committed")));
  }

  private static CommitFiles read(LocalSegment local) throws IOException {
    Path dir = local.directory();
    byte[] properties = first(dir, METADATA_FILE);
    byte[] creation = first(dir, CreationMeta.FILE_NAME);
    if (properties == null) {
      throw new InvalidRequestException(
          local.segment().segmentName(), dir + " has no " + METADATA_FILE + " (v3/ or top)");
    }
    long size;
    try (Stream<Path> walk = Files.walk(dir)) {
      size =
          walk.filter(Files::isRegularFile)
              .mapToLong(
                  p -> {
                    try {
                      return Files.size(p);
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  })
              .sum();
    }
    return new CommitFiles(properties, creation, local.crc(), size);
  }

  /** A file of a segment directory, {@code v3/} first as Pinot reads it; null when absent. */
  private static byte @Nullable [] first(Path dir, String name) throws IOException {
    for (Path candidate : List.of(dir.resolve("v3").resolve(name), dir.resolve(name))) {
      try {
        return Files.readAllBytes(candidate);
      } catch (NoSuchFileException e) {
        // next layout
      }
    }
    return null;
  }

  private static String endOffset(CommitFiles files) {
    Properties properties = new Properties();
    try {
      properties.load(new ByteArrayInputStream(files.metadataProperties()));
    } catch (IOException | IllegalArgumentException e) {
      return DEFAULT_OFFSET;
    }
    String value = properties.getProperty(END_OFFSET_KEY);
    return value == null || value.isBlank() ? DEFAULT_OFFSET : value.trim();
  }
}
