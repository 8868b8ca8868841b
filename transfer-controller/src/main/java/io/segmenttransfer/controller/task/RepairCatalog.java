package io.segmenttransfer.controller.task;

import io.segmenttransfer.core.cluster.InstanceInfo;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import java.net.URI;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * What the {@link DeepStoreRepairTask} needs of the controller's state: the segments, who holds
 * them ONLINE, and a durable way to record a repaired segment. The controller implements it over
 * its state; tests implement it in memory.
 */
public interface RepairCatalog {

  /** Every segment's metadata record in {@code tables} (null: every table), as they are now. */
  List<SegmentMetadata> segments(@Nullable Set<TableNameWithType> tables);

  /**
   * The instances that report {@code segment} ONLINE in the external view, with their records (host
   * and admin port); instances without a record are left out. Empty when nobody holds it ONLINE.
   */
  List<InstanceInfo> onlineReplicas(SegmentId segment);

  /**
   * Records that {@code segment}'s archive is now at {@code archive} in a deep store, with the
   * replica's {@code crc}, unless the segment meanwhile got a download URL or was deleted. Lazy;
   * completes once the change is durable.
   */
  Mono<Recorded> recordDeepStoreCopy(SegmentId segment, URI archive, long crc);

  /** What {@link #recordDeepStoreCopy} did. */
  enum Outcome {
    /** The download URL (and the CRC, if it differed) recorded. */
    RECORDED,
    /** Nothing done: the segment has a download URL again (a push or commit since the scan). */
    SUPERSEDED,
    /** Nothing done: the segment or its table was deleted since the scan. */
    GONE
  }

  /**
   * @param downloadUrl the recorded {@code segment.download.url}; null unless recorded
   * @param previousCrc the CRC the record had when the replica's differed and replaced it; empty
   *     otherwise
   */
  record Recorded(Outcome outcome, @Nullable String downloadUrl, OptionalLong previousCrc) {}
}
