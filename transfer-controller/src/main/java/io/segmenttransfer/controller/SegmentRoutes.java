package io.segmenttransfer.controller;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.segmenttransfer.controller.ControllerStore.SegmentDocument;
import io.segmenttransfer.core.error.EntityNotFoundException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadataJson;
import io.segmenttransfer.core.segment.TableNameWithType;
import java.net.URI;
import java.util.List;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * {@code /segments}: list a table's segments, read and (this project's extension) write a segment's
 * metadata record, delete a segment, and download its archive. Uploads are {@link SegmentUpload}'s,
 * downloads {@link SegmentDownload}'s.
 */
final class SegmentRoutes {

  private final ControllerState state;
  private final ArchiveJanitor janitor;
  private final SegmentUpload upload;
  private final SegmentDownload download;

  SegmentRoutes(
      ControllerState state,
      ArchiveJanitor janitor,
      SegmentUpload upload,
      SegmentDownload download) {
    this.state = state;
    this.janitor = janitor;
    this.upload = upload;
    this.download = download;
  }

  void register(HttpServerRoutes routes) {
    routes
        .post("/v2/segments", HttpJson.handler(upload::handle))
        .post("/segments", HttpJson.handler(upload::handle))
        .get("/segments/{tableName}/{segmentName}/metadata", HttpJson.handler(this::metadata))
        .put("/segments/{tableName}/{segmentName}/metadata", HttpJson.handler(this::putMetadata))
        .get(
            "/segments/{tableName}/{segmentName}",
            HttpJson.handler((q, r) -> download.handle(q, r, find(q), false)))
        .head(
            "/segments/{tableName}/{segmentName}",
            HttpJson.handler((q, r) -> download.handle(q, r, find(q), true)))
        .delete("/segments/{tableName}/{segmentName}", HttpJson.handler(this::delete))
        .get("/segments/{tableName}", HttpJson.handler(this::list));
  }

  /** {@code [{"OFFLINE": [...]}, {"REALTIME": [...]}]}, one entry per existing type. */
  private Mono<Void> list(HttpServerRequest request, HttpServerResponse response) {
    String name = HttpJson.path(request, "tableName");
    ArrayNode body = HttpJson.MAPPER.createArrayNode();
    for (TableNameWithType table : TableNames.resolve(name, typeParam(request))) {
      if (state.hasTable(table)) {
        ArrayNode names = body.addObject().putArray(table.type().name());
        state.table(table).segments().keySet().forEach(names::add);
      }
    }
    if (body.isEmpty()) {
      throw new EntityNotFoundException(null, "Table " + name + " does not exist");
    }
    return HttpJson.ok(response, body);
  }

  private Mono<Void> metadata(HttpServerRequest request, HttpServerResponse response) {
    return HttpJson.ok(response, SegmentMetadataJson.toJson(find(request).metadata(), false));
  }

  /**
   * This project's extension: {@code PUT /segments/{tableNameWithType}/{segmentName}/metadata} with
   * a flat metadata object creates or replaces the record (all keys, not a merge). The archive the
   * controller holds, if any, stays; assigned servers are notified when the record changed.
   */
  private Mono<Void> putMetadata(HttpServerRequest request, HttpServerResponse response) {
    SegmentId id =
        new SegmentId(
            TableNames.resolve(HttpJson.path(request, "tableName"), typeParam(request)).get(0),
            HttpJson.path(request, "segmentName"));
    return HttpJson.body(request)
        .map(json -> SegmentMetadataJson.parse(json.toString(), id))
        .flatMap(
            metadata ->
                state.mutate(
                    draft -> {
                      SegmentDocument old =
                          draft.table(id.table()).segments().get(id.segmentName());
                      draft.putSegment(
                          new SegmentDocument(metadata, old == null ? null : old.archive()));
                      return old == null ? "added" : "updated";
                    }))
        .flatMap(
            outcome ->
                HttpJson.status(response, "Segment " + id.segmentName() + " metadata " + outcome));
  }

  private Mono<Void> delete(HttpServerRequest request, HttpServerResponse response) {
    SegmentId id = find(request).id();
    return state
        .mutate(
            draft -> {
              URI archive = draft.deleteSegment(id);
              return archive == null ? List.<URI>of() : List.of(archive);
            })
        .flatMap(archives -> janitor.delete(archives))
        .then(
            HttpJson.status(
                response, "Segment " + id.segmentName() + " of table " + id.table() + " deleted"));
  }

  /** The segment a path names; a raw table name finds it in OFFLINE, then REALTIME. */
  private SegmentDocument find(HttpServerRequest request) {
    String name = HttpJson.path(request, "tableName");
    String segment = SegmentId.validateSegmentName(HttpJson.path(request, "segmentName"));
    List<TableNameWithType> candidates = TableNames.resolve(name, typeParam(request));
    for (TableNameWithType table : candidates) {
      if (state.hasTable(table) && state.table(table).segments().containsKey(segment)) {
        return state.table(table).segments().get(segment);
      }
    }
    if (candidates.stream().noneMatch(state::hasTable)) {
      throw new EntityNotFoundException(null, "Table " + name + " does not exist");
    }
    throw new EntityNotFoundException(
        null, "Segment " + segment + " of table " + name + " does not exist");
  }

  private static String typeParam(HttpServerRequest request) {
    String type = HttpJson.query(request, "type");
    return type != null ? type : HttpJson.query(request, "tableType");
  }
}
