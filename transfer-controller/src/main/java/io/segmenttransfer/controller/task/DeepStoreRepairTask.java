package io.segmenttransfer.controller.task;

import io.segmenttransfer.core.cluster.InstanceInfo;
import io.segmenttransfer.core.error.SegmentTransferException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.http.tls.SecuritySettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Deep-store repair, the part of Pinot's {@code RealtimeSegmentValidationManager} that uploads
 * segments missing from the deep store: every completed segment ({@code segment.realtime.status}
 * DONE or UPLOADED, absent meaning UPLOADED) whose {@code segment.download.url} is empty (or
 * absent: the same for downloads) exists only on servers, typically because its committer could not
 * upload it. A run asks a random ONLINE replica of each one to upload its copy ({@link
 * ReplicaUploadClient}), at most {@code maxConcurrentUploads} at once, and records the answer
 * through the {@link RepairCatalog}: the download URL, and the replica's CRC when it differs from
 * the record (logged; the replica's copy is what the deep store now holds).
 *
 * <p>A segment being repaired is in the pending set until its repair ends, so it is never asked for
 * twice, even by runs that overlap (the {@link PeriodicTasks} runner runs one at a time, but
 * nothing stops a caller from running the task directly). A failure is reported and the segment is
 * tried again by the next run; a segment nobody holds ONLINE is skipped and reported. Every run
 * logs one line of what it did.
 */
public final class DeepStoreRepairTask implements PeriodicTask {

  /** Pinot's name for the task, as {@code /periodictask/run?taskname=} takes it. */
  public static final String NAME = "RealtimeSegmentValidationManager";

  private static final Logger LOG = LoggerFactory.getLogger(DeepStoreRepairTask.class);

  private final RepairCatalog catalog;
  private final DeepStoreRepairConfig config;
  private final ReplicaUploadClient uploads;

  /**
   * Segments whose repair is queued or running: the queue gauge, and what keeps a segment from
   * being queued twice.
   */
  private final Set<SegmentId> pending = ConcurrentHashMap.newKeySet();

  private final AtomicLong repairedTotal = new AtomicLong();
  private final AtomicLong failedTotal = new AtomicLong();

  public DeepStoreRepairTask(RepairCatalog catalog, DeepStoreRepairConfig config) {
    this(catalog, config, SecuritySettings.none());
  }

  /** The same, calling replicas with the controller's TLS settings and credentials. */
  public DeepStoreRepairTask(
      RepairCatalog catalog, DeepStoreRepairConfig config, SecuritySettings security) {
    this.catalog = catalog;
    this.config = config;
    this.uploads = new ReplicaUploadClient(config.uploadTimeout(), security);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Duration interval() {
    return config.interval();
  }

  /** Repairs queued or running now. */
  public int pending() {
    return pending.size();
  }

  @Override
  public Map<String, Object> status() {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("pending", pending.size());
    status.put("repairedTotal", repairedTotal.get());
    status.put("failedTotal", failedTotal.get());
    return status;
  }

  private record Queued(SegmentId segment, List<InstanceInfo> replicas) {}

  /** The outcome of one repair: exactly one of the three is set. */
  private record Outcome(
      RepairReport.@Nullable Repaired repaired,
      RepairReport.@Nullable Failed failed,
      RepairReport.@Nullable Skipped skipped) {}

  /**
   * One run over {@code tables} (null: every table). Lazy; emits the report once every repair it
   * queued has ended, and never fails for one segment's sake. Cancelling it cancels its uploads and
   * releases its segments.
   */
  @Override
  public Mono<RepairReport> run(@Nullable Set<TableNameWithType> tables) {
    return Mono.defer(
        () -> {
          long started = System.nanoTime();
          int examined = 0;
          int missing = 0;
          List<Queued> queued = new ArrayList<>();
          List<RepairReport.Skipped> skipped = new ArrayList<>();
          List<String> alreadyQueued = new ArrayList<>();
          for (SegmentMetadata metadata : catalog.segments(tables)) {
            SegmentId id = metadata.segment();
            try {
              if (!metadata.realtimeStatus().isCompleted()) {
                continue;
              }
            } catch (SegmentTransferException unreadable) {
              skipped.add(new RepairReport.Skipped(id.toString(), unreadable.getMessage()));
              continue;
            }
            examined++;
            if (!metadata.downloadUrl().orElse(SegmentMetadata.PEERS_ONLY).isEmpty()) {
              continue;
            }
            missing++;
            List<InstanceInfo> replicas = catalog.onlineReplicas(id);
            if (replicas.isEmpty()) {
              skipped.add(
                  new RepairReport.Skipped(
                      id.toString(), "no ONLINE replica in the external view"));
            } else if (!pending.add(id)) {
              alreadyQueued.add(id.toString());
            } else {
              queued.add(new Queued(id, replicas));
            }
          }
          int scanned = examined;
          int lacking = missing;
          return Flux.fromIterable(queued)
              .flatMap(this::repair, config.maxConcurrentUploads())
              .collectList()
              .map(
                  outcomes -> {
                    List<RepairReport.Repaired> repaired = new ArrayList<>();
                    List<RepairReport.Failed> failed = new ArrayList<>();
                    List<RepairReport.Skipped> allSkipped = new ArrayList<>(skipped);
                    for (Outcome outcome : outcomes) {
                      if (outcome.repaired() != null) {
                        repaired.add(outcome.repaired());
                      } else if (outcome.failed() != null) {
                        failed.add(outcome.failed());
                      } else {
                        allSkipped.add(outcome.skipped());
                      }
                    }
                    repairedTotal.addAndGet(repaired.size());
                    failedTotal.addAndGet(failed.size());
                    return new RepairReport(
                        tables == null
                            ? null
                            : tables.stream().map(Object::toString).sorted().toList(),
                        scanned,
                        lacking,
                        repaired,
                        failed,
                        allSkipped,
                        alreadyQueued,
                        Duration.ofNanos(System.nanoTime() - started).toMillis(),
                        pending.size());
                  })
              .doOnNext(report -> LOG.info("deep-store repair: {}", report.summary()))
              // Released here too, for repairs a cancelled run never started.
              .doFinally(signal -> queued.forEach(q -> pending.remove(q.segment())));
        });
  }

  private Mono<Outcome> repair(Queued queued) {
    SegmentId id = queued.segment();
    InstanceInfo replica =
        queued.replicas().get(ThreadLocalRandom.current().nextInt(queued.replicas().size()));
    return uploads
        .upload(replica, id)
        .flatMap(
            uploaded ->
                catalog
                    .recordDeepStoreCopy(id, uploaded.archive(), uploaded.crc())
                    .map(
                        recorded -> {
                          switch (recorded.outcome()) {
                            case RECORDED -> {
                              String fixed = null;
                              if (recorded.previousCrc().isPresent()) {
                                fixed = Long.toString(recorded.previousCrc().getAsLong());
                                LOG.info(
                                    "deep-store repair of {}: the record's CRC {} replaced by {}, the CRC of {}'s copy now in the deep store",
                                    id,
                                    fixed,
                                    uploaded.crc(),
                                    replica.id());
                              }
                              return new Outcome(
                                  new RepairReport.Repaired(
                                      id.toString(), replica.id(), recorded.downloadUrl(), fixed),
                                  null,
                                  null);
                            }
                            case SUPERSEDED -> {
                              return new Outcome(
                                  null,
                                  null,
                                  new RepairReport.Skipped(
                                      id.toString(),
                                      "got a download URL while "
                                          + replica.id()
                                          + " uploaded it; "
                                          + uploaded.archive()
                                          + " not recorded"));
                            }
                            default -> {
                              return new Outcome(
                                  null,
                                  null,
                                  new RepairReport.Skipped(
                                      id.toString(), "deleted while it was repaired"));
                            }
                          }
                        }))
        .onErrorResume(
            error ->
                Mono.just(
                    new Outcome(
                        null,
                        new RepairReport.Failed(id.toString(), replica.id(), describe(error)),
                        null)))
        // Before the outcome reaches the report, so the report's pending count no longer holds it.
        .doOnTerminate(() -> pending.remove(id))
        .doOnCancel(() -> pending.remove(id));
  }

  private static String describe(Throwable error) {
    return error instanceof SegmentTransferException
        ? error.getMessage()
        : error.getClass().getSimpleName()
            + (error.getMessage() == null ? "" : ": " + error.getMessage());
  }
}
