package io.segmenttransfer.controller;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.segmenttransfer.controller.ControllerStore.SegmentDocument;
import io.segmenttransfer.controller.api.ControllerJson;
import io.segmenttransfer.core.archive.ArchiveLimits;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.StateConflictException;
import io.segmenttransfer.core.segment.CreationMeta;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.SegmentMetadataJson;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.DeepStoreLayout;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.http.limits.ListenerLimits;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * {@code POST /v2/segments?tableName=<raw>&tableType=OFFLINE}, Pinot's "tar push": the archive
 * arrives as the file part of a multipart body (or, this project's extension, as the whole body of
 * any other content type) and streams in one pass into the deep store, under the key {@link
 * DeepStoreLayout} gives it ({@code <deepStore>/<tableNameWithType>/<segment>.<codec extension>}),
 * while an {@link ArchiveInspector} reads {@code metadata.properties} and {@code creation.meta} out
 * of it with the download's decoder and the configured {@code ArchiveLimits}. Nothing is buffered
 * beyond a few chunks, nothing is unpacked to disk.
 *
 * <p>The recorded {@code segment.download.url} is what {@link DownloadUrls} gives the archive: its
 * deep-store URI, or this controller's download URL for a local-directory deep store.
 *
 * <p>The segment is named by the archive's top-level directory, known from its first entry, which
 * is what lets the write start before the end; a {@code segment.name} in metadata.properties must
 * agree. An invalid archive fails the write before it completes, so the deep store keeps what it
 * had. Uploading an existing segment with another CRC is a refresh: new CRC, size, creation and
 * refresh times, the push time kept, and the servers holding it notified; the same CRC again
 * changes nothing. A refresh writes a new version of the archive ({@link
 * DeepStoreLayout#versionedArchive}), switches the metadata to it, and only then deletes the
 * version the metadata named before, so the named object is never half-written or replaced under a
 * reader.
 */
final class SegmentUpload {

  /** Chunks decoded ahead of the deep-store write: enough to overlap the two. */
  private static final int PREFETCH = 4;

  enum Outcome {
    ADDED,
    REFRESHED,
    UNCHANGED
  }

  private record Inspected(
      SegmentId segment,
      URI archive,
      Codec codec,
      long size,
      CreationMeta creationMeta,
      Properties properties) {}

  private final ControllerState state;
  private final SegmentStores stores;
  private final DeepStoreLayout layout;
  private final ArchiveLimits limits;
  private final Scheduler scheduler;
  private final DownloadUrls downloadUrls;
  private final Clock clock;
  private final ArchiveJanitor janitor;

  /** Segments being uploaded now: a second upload of the same one is refused, not interleaved. */
  private final Set<SegmentId> inFlight = ConcurrentHashMap.newKeySet();

  SegmentUpload(
      ControllerState state,
      SegmentStores stores,
      URI deepStore,
      ArchiveLimits limits,
      Scheduler scheduler,
      DownloadUrls downloadUrls,
      Clock clock,
      ArchiveJanitor janitor) {
    this.state = state;
    this.stores = stores;
    this.layout = new DeepStoreLayout(deepStore);
    this.limits = limits;
    this.scheduler = scheduler;
    this.downloadUrls = downloadUrls;
    this.clock = clock;
    this.janitor = janitor;
  }

  Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
    String tableName = HttpJson.queryName(request, "tableName");
    if (tableName == null || tableName.isBlank()) {
      throw new InvalidRequestException(null, "upload needs the query parameter tableName");
    }
    String type = HttpJson.query(request, "tableType");
    TableNameWithType table =
        TableNames.resolve(tableName.trim(), type == null ? "OFFLINE" : type).get(0);
    state.table(table); // 404 before reading a byte of an upload for a table that does not exist
    return inspectAndStore(table, archiveBytes(request))
        .flatMap(this::commit)
        .flatMap(
            committed -> {
              ObjectNode body =
                  HttpJson.MAPPER
                      .createObjectNode()
                      .put(
                          "status",
                          "Successfully uploaded segment: "
                              + committed.getKey().segmentName()
                              + " of table: "
                              + table)
                      .put(ControllerJson.TABLE_NAME_WITH_TYPE, table.toString())
                      .put(ControllerJson.SEGMENT_NAME, committed.getKey().segmentName())
                      .put("outcome", committed.getValue().name());
              body.set("metadata", SegmentMetadataJson.toJson(committed.getKey(), false));
              return HttpJson.ok(response, body);
            });
  }

  /**
   * The archive's bytes from the request, copied out of Netty's buffers while they are valid (the
   * inbound buffers are released as soon as each {@code onNext} returns), so what flows on is plain
   * heap memory owned by the pipeline. Completes at the end of the body; fails with {@code
   * InvalidRequestException} for a malformed multipart body.
   */
  private static Flux<ByteBuffer> archiveBytes(HttpServerRequest request) {
    String boundary =
        MultipartParser.boundary(request.requestHeaders().get(HttpHeaderNames.CONTENT_TYPE));
    if (boundary == null) {
      return request
          .receive()
          .map(
              buf -> {
                byte[] bytes = new byte[buf.readableBytes()];
                buf.readBytes(bytes);
                return ByteBuffer.wrap(bytes);
              });
    }
    return Flux.defer(
        () -> {
          MultipartParser parser = new MultipartParser(boundary, null, ListenerLimits.of(request));
          return request
              .receive()
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

  private Mono<Inspected> inspectAndStore(TableNameWithType table, Flux<ByteBuffer> archive) {
    return Mono.defer(
        () -> {
          ArchiveInspector inspector = new ArchiveInspector("upload to " + table, limits);
          Flux<ByteBuffer> inspected =
              archive
                  .publishOn(
                      scheduler, PREFETCH) // inflating is CPU work: keep it off the event loop
                  .doOnNext(inspector::accept)
                  .concatWith(
                      Mono.fromRunnable(
                          () -> {
                            inspector.finish();
                            checkName(inspector);
                          }))
                  .doFinally(signal -> inspector.close());
          return inspected
              // Hold chunks only until the first tar entry names the segment (entries are parsed a
              // decoded buffer at a time, so at most about one such buffer's worth), then pass each
              // on.
              .bufferUntil(chunk -> inspector.segmentDirectory() != null)
              .switchOnFirst(
                  (first, all) -> {
                    if (!first.hasValue()) {
                      return all.then(Mono.empty());
                    }
                    String name = inspector.segmentDirectory();
                    if (name == null) {
                      return Mono.error(
                          new InvalidArchiveException(
                              table.toString(), "archive holds no segment directory"));
                    }
                    SegmentId id;
                    try {
                      id = new SegmentId(table, name);
                    } catch (InvalidRequestException e) {
                      return Mono.error(e);
                    }
                    if (!inFlight.add(id)) {
                      return Mono.error(
                          new StateConflictException(
                              id.toString(),
                              "segment "
                                  + name
                                  + " of table "
                                  + table
                                  + " is being uploaded by another request"));
                    }
                    // A refresh writes a new version and switches the metadata to it afterwards:
                    // the object the metadata names is never overwritten, and a crash between the
                    // write and the switch leaves an orphan, not a deep store ahead of its record.
                    URI location =
                        state.table(table).segments().containsKey(name)
                            ? layout.versionedArchive(
                                id, inspector.codec(), ArchiveVersions.next(clock))
                            : layout.archive(id, inspector.codec());
                    return stores
                        .forUri(location)
                        .write(location, all.concatMapIterable(chunks -> chunks))
                        .then(
                            Mono.fromCallable(
                                () ->
                                    new Inspected(
                                        id,
                                        location,
                                        inspector.codec(),
                                        inspector.size(),
                                        inspector.creationMeta(),
                                        inspector.metadataProperties())))
                        .doFinally(signal -> inFlight.remove(id));
                  })
              .next();
        });
  }

  /** A {@code segment.name} in metadata.properties must name the directory the archive holds. */
  private static void checkName(ArchiveInspector inspector) {
    String declared = inspector.metadataProperties().getProperty("segment.name");
    if (declared != null && !declared.trim().equals(inspector.segmentDirectory())) {
      throw new InvalidArchiveException(
          inspector.segmentDirectory(),
          "segment.name '"
              + declared.trim()
              + "' in metadata.properties does not match the archive's directory");
    }
  }

  private record Committed(SegmentMetadata metadata, Outcome outcome, URI staleArchive) {}

  /**
   * Records the metadata; an archive left unreferenced (another extension) is deleted afterwards.
   */
  private Mono<Map.Entry<SegmentMetadata, Outcome>> commit(Inspected upload) {
    return state
        .mutate(
            draft -> {
              SegmentDocument old =
                  draft
                      .table(upload.segment().table())
                      .segments()
                      .get(upload.segment().segmentName());
              long crc = upload.creationMeta().crc();
              if (old != null
                  && old.metadata().crcIfPresent().orElse(-1) == crc
                  && ArchiveVersions.sameCodec(old.archive(), upload.codec())) {
                // The same segment again in the same codec (Pinot answers the same): nothing to
                // record, nobody to notify; the version just written is not referenced.
                return new Committed(
                    old.metadata(),
                    Outcome.UNCHANGED,
                    upload.archive().equals(old.archive()) ? null : upload.archive());
              }
              String now = Long.toString(clock.millis());
              Map<String, String> fields = new LinkedHashMap<>();
              fields.put(SegmentMetadata.CRC, Long.toString(crc));
              fields.put(
                  SegmentMetadata.CREATION_TIME,
                  Long.toString(upload.creationMeta().creationTimeMs()));
              upload
                  .creationMeta()
                  .dataCrc()
                  .ifPresent(d -> fields.put("segment.data.crc", Long.toString(d)));
              fields.put(SegmentMetadata.SIZE_IN_BYTES, Long.toString(upload.size()));
              fields.put(
                  SegmentMetadata.DOWNLOAD_URL,
                  downloadUrls.forArchive(upload.segment(), upload.archive()));
              String pushTime =
                  old == null ? null : old.metadata().fields().get(SegmentMetadata.PUSH_TIME);
              fields.put(SegmentMetadata.PUSH_TIME, pushTime != null ? pushTime : now);
              if (old != null) {
                fields.put(SegmentMetadata.REFRESH_TIME, now);
              }
              for (String key :
                  List.of(
                      SegmentMetadata.TOTAL_DOCS,
                      "segment.start.time",
                      "segment.end.time",
                      "segment.time.unit",
                      SegmentMetadata.INDEX_VERSION)) {
                String value = upload.properties().getProperty(key);
                if (value != null && !value.isBlank()) {
                  fields.put(key, value.trim());
                }
              }
              SegmentMetadata metadata =
                  new SegmentMetadata(
                      upload.segment(),
                      fields,
                      old == null ? Map.of() : old.metadata().customMap());
              draft.putSegment(new SegmentDocument(metadata, upload.archive()));
              URI stale =
                  old != null && old.archive() != null && !old.archive().equals(upload.archive())
                      ? old.archive()
                      : null;
              return new Committed(
                  metadata, old == null ? Outcome.ADDED : Outcome.REFRESHED, stale);
            })
        .onErrorResume(
            error ->
                // Not recorded: a version written for this upload must not stay behind.
                ArchiveVersions.isVersioned(upload.archive())
                    ? janitor.delete(List.of(upload.archive())).then(Mono.error(error))
                    : Mono.error(error))
        .flatMap(
            committed ->
                (committed.staleArchive() == null
                        ? Mono.<Void>empty()
                        : janitor.delete(List.of(committed.staleArchive())))
                    .thenReturn(Map.entry(committed.metadata(), committed.outcome())));
  }
}
