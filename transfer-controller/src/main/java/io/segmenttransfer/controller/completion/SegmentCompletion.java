package io.segmenttransfer.controller.completion;

import io.segmenttransfer.controller.ControllerState;
import io.segmenttransfer.controller.ControllerState.Draft;
import io.segmenttransfer.controller.ControllerStore.SegmentDocument;
import io.segmenttransfer.controller.DownloadUrls;
import io.segmenttransfer.controller.api.CompletionRequest;
import io.segmenttransfer.controller.api.CompletionResponse;
import io.segmenttransfer.controller.api.CompletionStatus;
import io.segmenttransfer.core.error.EntityNotFoundException;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.StateConflictException;
import io.segmenttransfer.core.segment.RealtimeStatus;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.segment.TableNameWithType.TableType;
import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The controller side of Pinot's segment completion protocol: which replica commits a consuming
 * segment, and the commit itself, recorded durably in the segment's metadata record.
 *
 * <ul>
 *   <li>The record is created {@code IN_PROGRESS} (with {@code numReplicas} = the table's
 *       replication and {@code startOffset} = the previous segment's end offset, when known) when a
 *       server first reports the segment.
 *   <li>{@link CommitElection} picks the committer; its accepted {@code segmentCommitStart} makes
 *       the record {@code COMMITTING} with the committer and its offset, durably, before {@code
 *       COMMIT_CONTINUE} is answered.
 *   <li>The commit end records the segment's metadata, status {@code DONE} and the end offset, and
 *       only then puts the segment into the ideal state, on the replicas that built it (committer
 *       first). A commit end is accepted once: a retry by the committer with the same CRC answers
 *       {@code COMMIT_SUCCESS} again and changes nothing; anyone else gets KEEP or DISCARD.
 * </ul>
 *
 * <p>Every decision runs inside {@link ControllerState#mutate}, one at a time, on a copy of the
 * segment's election; the copy replaces the election only once the change is durable. Answers are
 * never errors: what goes wrong is logged and answered {@code FAILED}, as Pinot does.
 */
public final class SegmentCompletion {

  private static final Logger LOG = LoggerFactory.getLogger(SegmentCompletion.class);

  /**
   * The location a committer that could not upload sends (Pinot's {@code
   * METADATA_URI_FOR_PEER_DOWNLOAD}).
   */
  static final String PEER_SCHEME = "peer://";

  private record Outcome(CompletionResponse response, @Nullable CommitElection election) {}

  @FunctionalInterface
  private interface Step {
    Outcome apply(Draft draft, SegmentId segment, @Nullable CommitElection election, long nowMs);
  }

  private final ControllerState state;
  private final CompletionConfig config;
  private final Clock clock;
  private final URI deepStore;
  private final DownloadUrls downloadUrls;
  private final Map<SegmentId, CommitElection> elections = new ConcurrentHashMap<>();

  SegmentCompletion(
      ControllerState state,
      CompletionConfig config,
      Clock clock,
      URI deepStore,
      DownloadUrls downloadUrls) {
    this.state = state;
    this.config = config;
    this.clock = clock;
    this.deepStore = deepStore;
    this.downloadUrls = downloadUrls;
  }

  /**
   * The segment a message is about: {@code <rawTable>_REALTIME} from the LLC name, or the {@code
   * tableName} parameter (raw or with {@code _REALTIME}) when given.
   */
  static SegmentId segment(CompletionRequest request, @Nullable String tableName) {
    if (tableName == null || tableName.isBlank()) {
      return LlcSegmentName.parse(request.segmentName()).id();
    }
    String name = tableName.trim();
    TableNameWithType table =
        name.endsWith("_" + TableType.REALTIME.name())
            ? TableNameWithType.parse(name)
            : new TableNameWithType(name, TableType.REALTIME);
    return new SegmentId(table, request.segmentName());
  }

  Mono<CompletionResponse> consumed(CompletionRequest request, @Nullable String tableName) {
    return decide(
        "segmentConsumed",
        request,
        tableName,
        (draft, id, election, now) -> {
          String offset = offset(request);
          ControllerState.TableState table = draft.table(id.table());
          SegmentDocument doc = table.segments().get(id.segmentName());
          if (doc == null) {
            draft.putSegment(inProgress(draft, id));
            election =
                election != null
                    ? election
                    : CommitElection.start(config, now); // kept if one stopped already
          } else if (doc.metadata().realtimeStatus().isCompleted()) {
            return new Outcome(keepOrDiscard(doc, offset), null);
          } else if (election == null) {
            election = resume(doc, now);
          }
          return new Outcome(
              election
                  .consumed(request.instance(), offset, table.config().replication(), now)
                  .withSplitCommit(true),
              election);
        });
  }

  Mono<CompletionResponse> commitStart(CompletionRequest request, @Nullable String tableName) {
    return decide(
        "segmentCommitStart",
        request,
        tableName,
        (draft, id, election, now) -> {
          String offset = offset(request);
          SegmentDocument doc = draft.table(id.table()).segments().get(id.segmentName());
          if (doc == null) {
            // No election yet (or this controller restarted): the server reports again and is
            // elected.
            draft.putSegment(inProgress(draft, id));
            return new Outcome(
                CompletionResponse.of(CompletionStatus.HOLD, offset),
                election != null ? election : CommitElection.start(config, now));
          }
          if (doc.metadata().realtimeStatus().isCompleted()) {
            return new Outcome(keepOrDiscard(doc, offset), null);
          }
          if (election == null) {
            election = resume(doc, now);
          }
          CommitElection.Start start = election.commitStart(request.instance(), offset, now);
          if (start != CommitElection.Start.CONTINUE) {
            return new Outcome(
                start == CommitElection.Start.HOLD
                    ? CompletionResponse.of(CompletionStatus.HOLD, offset)
                    : failed(
                        "segmentCommitStart", request, "not the committer elected at this offset"),
                election);
          }
          SegmentMetadata metadata = doc.metadata();
          if (!isCommitting(metadata, request.instance(), offset)) {
            draft.putSegment(
                new SegmentDocument(
                    metadata
                        .with(SegmentMetadata.REALTIME_STATUS, RealtimeStatus.COMMITTING.name())
                        .with(SegmentMetadata.REALTIME_COMMITTER, request.instance())
                        .with(SegmentMetadata.REALTIME_END_OFFSET, offset),
                    doc.archive()));
          }
          return new Outcome(
              CompletionResponse.of(CompletionStatus.COMMIT_CONTINUE, offset)
                  .withBuildTimeSec(election.buildTimeLeftSec(now))
                  .withSplitCommit(true),
              election);
        });
  }

  Mono<CompletionResponse> stoppedConsuming(CompletionRequest request, @Nullable String tableName) {
    return decide(
        "segmentStoppedConsuming",
        request,
        tableName,
        (draft, id, election, now) -> {
          SegmentDocument doc = draft.table(id.table()).segments().get(id.segmentName());
          if (doc != null && doc.metadata().realtimeStatus().isCompleted()) {
            return new Outcome(CompletionResponse.of(CompletionStatus.PROCESSED), null);
          }
          if (election == null) {
            election = doc == null ? CommitElection.start(config, now) : resume(doc, now);
          }
          election.stopped(request.instance());
          LOG.info("{} stopped consuming {} ({})", request.instance(), id, request.reason());
          return new Outcome(CompletionResponse.of(CompletionStatus.PROCESSED), election);
        });
  }

  Mono<CompletionResponse> extendBuildTime(CompletionRequest request, @Nullable String tableName) {
    return decide(
        "extendBuildTime",
        request,
        tableName,
        (draft, id, election, now) -> {
          draft.table(id.table());
          if (election == null
              || !election.extend(
                  request.instance(),
                  request.streamPartitionMsgOffset(),
                  request.extraTimeSec(),
                  now)) {
            return new Outcome(
                failed(
                    "extendBuildTime",
                    request,
                    "not the committer, or beyond the longest build time"),
                election);
          }
          return new Outcome(CompletionResponse.of(CompletionStatus.PROCESSED), election);
        });
  }

  /**
   * Ends a commit: the committer's metadata is recorded with status DONE and the end offset, then
   * the segment is assigned. {@code location} is the archive's deep-store URI, or {@code
   * peer://<segment>} when the committer could not upload (recorded as {@code ""}).
   *
   * @param archive the deep-store object the controller may delete with the segment, or null
   */
  Mono<CompletionResponse> commitEnd(
      String call,
      CompletionRequest request,
      SegmentId id,
      CommitMetadata metadata,
      @Nullable URI archive) {
    return decide(
        call,
        request,
        id,
        (draft, segment, election, now) -> {
          String offset = offset(request);
          String location = location(request);
          // The one rule for download URLs: a local-directory deep store is served by this
          // controller, any other deep store is read by servers directly.
          String downloadUrl =
              location.isEmpty() ? location : downloadUrls.forArchive(id, URI.create(location));
          SegmentDocument doc = draft.table(id.table()).segments().get(id.segmentName());
          if (doc == null) {
            throw new EntityNotFoundException(
                id.toString(), "no segment " + id + " is being committed");
          }
          SegmentMetadata current = doc.metadata();
          String committer = current.fields().get(SegmentMetadata.REALTIME_COMMITTER);
          if (current.realtimeStatus().isCompleted()) {
            if (!request.instance().equals(committer)) {
              return new Outcome(keepOrDiscard(doc, offset), null);
            }
            if (current.crcIfPresent().orElse(-1) != metadata.crc()) {
              throw new StateConflictException(
                  id.toString(),
                  "already committed with CRC "
                      + current.fields().get(SegmentMetadata.CRC)
                      + ", retried with "
                      + metadata.crc());
            }
            return new Outcome(
                CompletionResponse.of(CompletionStatus.COMMIT_SUCCESS, offset), null); // a retry
          }
          if (!isCommitting(current, request.instance(), offset)
              || (election != null && !election.isCommitter(request.instance()))) {
            throw new StateConflictException(
                id.toString(),
                "not committing "
                    + id
                    + " at offset "
                    + offset
                    + " (status "
                    + current.realtimeStatus()
                    + ", committer "
                    + committer
                    + ")");
          }
          Map<String, String> fields = new LinkedHashMap<>(current.fields());
          fields.putAll(metadata.fields());
          fields.put(SegmentMetadata.REALTIME_STATUS, RealtimeStatus.DONE.name());
          fields.put(SegmentMetadata.REALTIME_END_OFFSET, offset);
          fields.put(SegmentMetadata.DOWNLOAD_URL, downloadUrl);
          if (request.segmentSizeBytes() > 0) {
            fields.put(SegmentMetadata.SIZE_IN_BYTES, Long.toString(request.segmentSizeBytes()));
          }
          draft.putSegment(
              new SegmentDocument(
                  new SegmentMetadata(id, fields, current.customMap()),
                  archive != null ? archive : ownArchive(location)));
          // Into the ideal state only now, on the replicas that built it: they keep their copies.
          draft.assign(id, election == null ? List.of(request.instance()) : election.holders());
          LOG.info(
              "{} committed {} at offset {} (CRC {}, download URL '{}')",
              request.instance(),
              id,
              offset,
              metadata.crc(),
              downloadUrl);
          return new Outcome(CompletionResponse.of(CompletionStatus.COMMIT_SUCCESS, offset), null);
        });
  }

  /** Fails unless {@code instance} is committing {@code id} now (what segmentUpload requires). */
  void requireCommitter(SegmentId id, String instance) {
    SegmentDocument doc = state.segment(id);
    CommitElection election = elections.get(id);
    String committer = doc.metadata().fields().get(SegmentMetadata.REALTIME_COMMITTER);
    if (doc.metadata().realtimeStatus() != RealtimeStatus.COMMITTING
        || !instance.equals(committer)
        || (election != null && !election.isCommitter(instance))) {
      throw new StateConflictException(id.toString(), instance + " is not committing " + id);
    }
  }

  /** Logs why a message failed and answers FAILED. */
  static CompletionResponse failed(String call, CompletionRequest request, Object why) {
    LOG.warn(
        "{} of {} from {} at offset {} FAILED: {}",
        call,
        request.segmentName(),
        request.instance(),
        request.streamPartitionMsgOffset(),
        why);
    return CompletionResponse.of(CompletionStatus.FAILED);
  }

  private Mono<CompletionResponse> decide(
      String call, CompletionRequest request, @Nullable String tableName, Step step) {
    return Mono.defer(() -> decide(call, request, segment(request, tableName), step))
        .onErrorResume(e -> Mono.just(failed(call, request, e.toString())));
  }

  private Mono<CompletionResponse> decide(
      String call, CompletionRequest request, SegmentId id, Step step) {
    return state
        .mutate(
            draft -> {
              CommitElection installed = elections.get(id);
              return step.apply(
                  draft, id, installed == null ? null : installed.copy(), clock.millis());
            })
        // Installed synchronously as the durable change completes, before the next change runs.
        .doOnNext(
            outcome -> {
              if (outcome.election() == null) {
                elections.remove(id);
              } else {
                elections.put(id, outcome.election());
              }
            })
        .map(Outcome::response)
        .onErrorResume(e -> Mono.just(failed(call, request, e.toString())));
  }

  private CommitElection resume(SegmentDocument doc, long nowMs) {
    SegmentMetadata metadata = doc.metadata();
    String committer = metadata.fields().get(SegmentMetadata.REALTIME_COMMITTER);
    String offset = metadata.fields().get(SegmentMetadata.REALTIME_END_OFFSET);
    if (metadata.realtimeStatus() == RealtimeStatus.COMMITTING
        && committer != null
        && offset != null) {
      return CommitElection.committing(config, committer, offset, nowMs);
    }
    return CommitElection.start(config, nowMs);
  }

  /** The record of a segment first reported: IN_PROGRESS, with what is known of its consumption. */
  private static SegmentDocument inProgress(Draft draft, SegmentId id) {
    ControllerState.TableState table = draft.table(id.table());
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(SegmentMetadata.REALTIME_STATUS, RealtimeStatus.IN_PROGRESS.name());
    fields.put(
        SegmentMetadata.REALTIME_NUM_REPLICAS, Integer.toString(table.config().replication()));
    String startOffset = previousEndOffset(table, id);
    if (startOffset != null) {
      fields.put(SegmentMetadata.REALTIME_START_OFFSET, startOffset);
    }
    return new SegmentDocument(SegmentMetadata.of(id, fields), null);
  }

  /**
   * A segment starts where the previous one of its partition group ended (Pinot's rule), when that
   * is known.
   */
  private static @Nullable String previousEndOffset(
      ControllerState.TableState table, SegmentId id) {
    LlcSegmentName name;
    try {
      name = LlcSegmentName.parse(id.segmentName());
    } catch (InvalidRequestException e) {
      return null; // a tableName-addressed segment without an LLC name
    }
    String prefix = name.previousPrefix();
    if (prefix == null) {
      return null;
    }
    return table.segments().entrySet().stream()
        .filter(
            e ->
                e.getKey().startsWith(prefix)
                    && e.getKey().indexOf(LlcSegmentName.SEPARATOR, prefix.length()) < 0)
        .map(e -> e.getValue().metadata())
        .filter(m -> m.realtimeStatus().isCompleted())
        .map(m -> m.fields().get(SegmentMetadata.REALTIME_END_OFFSET))
        .filter(Objects::nonNull)
        .findFirst()
        .orElse(null);
  }

  private static boolean isCommitting(SegmentMetadata metadata, String instance, String offset) {
    return metadata.realtimeStatus() == RealtimeStatus.COMMITTING
        && instance.equals(metadata.fields().get(SegmentMetadata.REALTIME_COMMITTER))
        && StreamOffsets.same(offset, metadata.fields().get(SegmentMetadata.REALTIME_END_OFFSET));
  }

  /** After the commit: KEEP for a replica at the committed end offset, DISCARD for any other. */
  private static CompletionResponse keepOrDiscard(SegmentDocument doc, String offset) {
    String end = doc.metadata().fields().get(SegmentMetadata.REALTIME_END_OFFSET);
    return CompletionResponse.of(
        StreamOffsets.same(offset, end) ? CompletionStatus.KEEP : CompletionStatus.DISCARD, end);
  }

  private static String offset(CompletionRequest request) {
    String offset = request.streamPartitionMsgOffset();
    if (offset == null || offset.isBlank()) {
      throw new InvalidRequestException(
          request.segmentName(), "no " + CompletionRequest.STREAM_PARTITION_MSG_OFFSET);
    }
    return offset.trim();
  }

  /** {@code peer://<segment>} becomes {@code ""} (peers only); anything else must be a URI. */
  private static String location(CompletionRequest request) {
    String location = request.location();
    if (location == null || location.isBlank()) {
      throw new InvalidRequestException(
          request.segmentName(), "commit without a " + CompletionRequest.LOCATION);
    }
    if (location.startsWith(PEER_SCHEME)) {
      if (!location.equals(PEER_SCHEME + request.segmentName())) {
        throw new InvalidRequestException(
            request.segmentName(),
            "peer location '" + location + "' does not name " + request.segmentName());
      }
      return SegmentMetadata.PEERS_ONLY;
    }
    try {
      URI uri = new URI(location);
      if (uri.getScheme() == null) {
        throw new java.net.URISyntaxException(location, "no scheme");
      }
    } catch (java.net.URISyntaxException e) {
      throw new InvalidRequestException(
          request.segmentName(), "location '" + location + "' is not a URI", e);
    }
    return location;
  }

  /**
   * The archive is the controller's to delete with the segment only when it lies in its own deep
   * store.
   */
  private @Nullable URI ownArchive(String location) {
    String base = deepStore.toString();
    return !location.isEmpty() && location.startsWith(base.endsWith("/") ? base : base + "/")
        ? URI.create(location)
        : null;
  }
}
