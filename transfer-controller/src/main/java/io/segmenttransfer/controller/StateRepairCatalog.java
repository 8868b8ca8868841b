package io.segmenttransfer.controller;

import io.segmenttransfer.controller.ControllerStore.InstanceDocument;
import io.segmenttransfer.controller.ControllerStore.SegmentDocument;
import io.segmenttransfer.controller.api.SegmentState;
import io.segmenttransfer.controller.task.RepairCatalog;
import io.segmenttransfer.core.cluster.InstanceInfo;
import io.segmenttransfer.core.error.EntityNotFoundException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * The deep-store repair task's view of the controller's state: segments and the external view from
 * the in-memory records, and a repair recorded as one change through {@link
 * ControllerState#mutate}, durable before it is acknowledged. The download URL follows {@link
 * DownloadUrls}, as for a tar push; an archive the record no longer references (the controller's
 * own copy under another key) is deleted afterwards, as a push does.
 */
final class StateRepairCatalog implements RepairCatalog {

  private record Change(Recorded recorded, URI staleArchive) {}

  private final ControllerState state;
  private final DownloadUrls downloadUrls;
  private final ArchiveJanitor janitor;

  StateRepairCatalog(ControllerState state, DownloadUrls downloadUrls, ArchiveJanitor janitor) {
    this.state = state;
    this.downloadUrls = downloadUrls;
    this.janitor = janitor;
  }

  @Override
  public List<SegmentMetadata> segments(Set<TableNameWithType> tables) {
    List<SegmentMetadata> segments = new ArrayList<>();
    for (TableNameWithType table : tables == null ? state.tableNames() : List.copyOf(tables)) {
      if (state.hasTable(table)) {
        state.table(table).segments().values().forEach(doc -> segments.add(doc.metadata()));
      }
    }
    return segments;
  }

  @Override
  public List<InstanceInfo> onlineReplicas(SegmentId segment) {
    Map<String, Map<String, String>> view = state.externalView(segment.table());
    List<InstanceInfo> replicas = new ArrayList<>();
    if (view == null) {
      return replicas;
    }
    view.getOrDefault(segment.segmentName(), Map.of())
        .forEach(
            (instance, replicaState) -> {
              if (SegmentState.ONLINE.name().equals(replicaState)) {
                try {
                  InstanceDocument doc = state.instance(instance);
                  replicas.add(doc.info());
                } catch (EntityNotFoundException dropped) {
                  // Dropped since the view was read: not a replica to ask.
                }
              }
            });
    return replicas;
  }

  @Override
  public Mono<Recorded> recordDeepStoreCopy(SegmentId segment, URI archive, long crc) {
    return state
        .mutate(
            draft -> {
              SegmentDocument old =
                  draft.hasTable(segment.table())
                      ? draft.table(segment.table()).segments().get(segment.segmentName())
                      : null;
              if (old == null) {
                return new Change(new Recorded(Outcome.GONE, null, OptionalLong.empty()), null);
              }
              if (!old.metadata().downloadUrl().orElse(SegmentMetadata.PEERS_ONLY).isEmpty()) {
                return new Change(
                    new Recorded(Outcome.SUPERSEDED, null, OptionalLong.empty()), null);
              }
              String url = downloadUrls.forArchive(segment, archive);
              SegmentMetadata metadata = old.metadata().with(SegmentMetadata.DOWNLOAD_URL, url);
              OptionalLong previousCrc = OptionalLong.empty();
              OptionalLong recordedCrc = old.metadata().crcIfPresent();
              if (recordedCrc.isEmpty() || recordedCrc.getAsLong() != crc) {
                metadata = metadata.with(SegmentMetadata.CRC, Long.toString(crc));
                previousCrc = recordedCrc;
              }
              draft.putSegment(new SegmentDocument(metadata, archive));
              URI stale =
                  old.archive() != null && !old.archive().equals(archive) ? old.archive() : null;
              return new Change(new Recorded(Outcome.RECORDED, url, previousCrc), stale);
            })
        .flatMap(
            change ->
                (change.staleArchive() == null
                        ? Mono.<Void>empty()
                        : janitor.delete(List.of(change.staleArchive())))
                    .thenReturn(change.recorded()));
  }
}
