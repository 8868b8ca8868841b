package io.segmenttransfer.controller.completion;

import com.fasterxml.jackson.databind.JsonNode;
import io.segmenttransfer.controller.ControllerState;
import io.segmenttransfer.controller.ControllerStore.SegmentDocument;
import io.segmenttransfer.controller.DownloadUrls;
import io.segmenttransfer.controller.HttpJson;
import io.segmenttransfer.core.error.EntityNotFoundException;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.StateConflictException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.SegmentMetadataJson;
import java.net.URI;
import java.net.URISyntaxException;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * This project's extension {@code PUT /segments/{tableNameWithType}/{segmentName}/downloadUrl} with
 * {@code {"downloadUrl": "<uri>", "crc": "<crc>"}}: a server that committed with {@code peer://}
 * and uploaded afterwards, in the background, tells where the archive now is. Only {@code
 * segment.download.url} changes, and only for a completed segment (DONE or UPLOADED) whose CRC is
 * the one given, so an upload of another build cannot be attached to this record: otherwise 409; an
 * unknown table or segment is 404. The holders keep their copies (same CRC). Answers the updated
 * metadata record.
 */
final class DownloadUrlUpdate {

  private final ControllerState state;
  private final DownloadUrls downloadUrls;

  DownloadUrlUpdate(ControllerState state, DownloadUrls downloadUrls) {
    this.state = state;
    this.downloadUrls = downloadUrls;
  }

  Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
    SegmentId id =
        SegmentId.of(
            HttpJson.path(request, "tableNameWithType"), HttpJson.path(request, "segmentName"));
    return HttpJson.body(request)
        .flatMap(
            json -> {
              URI archive = uri(text(json, "downloadUrl", id), id);
              long crc = crc(text(json, "crc", id), id);
              return state.mutate(
                  draft -> {
                    SegmentDocument doc = draft.table(id.table()).segments().get(id.segmentName());
                    if (doc == null) {
                      throw new EntityNotFoundException(
                          id.toString(),
                          "Segment "
                              + id.segmentName()
                              + " of table "
                              + id.table()
                              + " does not exist");
                    }
                    SegmentMetadata metadata = doc.metadata();
                    if (!metadata.realtimeStatus().isCompleted()) {
                      throw new StateConflictException(
                          id.toString(),
                          "segment "
                              + id
                              + " is "
                              + metadata.realtimeStatus()
                              + ", not completed: its download URL is set by its commit");
                    }
                    if (metadata.crcIfPresent().orElse(-1) != crc) {
                      throw new StateConflictException(
                          id.toString(),
                          "segment "
                              + id
                              + " has CRC "
                              + metadata.fields().get(SegmentMetadata.CRC)
                              + ", not "
                              + crc);
                    }
                    // A local file only this controller serves is recorded as its own URL, the
                    // rule every other way a segment arrives follows (DownloadUrls).
                    SegmentMetadata updated =
                        metadata.with(
                            SegmentMetadata.DOWNLOAD_URL, downloadUrls.forArchive(id, archive));
                    draft.putSegment(
                        new SegmentDocument(
                            updated,
                            DownloadUrls.servedByController(archive) ? archive : doc.archive()));
                    return updated;
                  });
            })
        .flatMap(updated -> HttpJson.ok(response, SegmentMetadataJson.toJson(updated, false)));
  }

  private static URI uri(String text, SegmentId id) {
    try {
      URI uri = new URI(text);
      if (uri.getScheme() == null) {
        throw new URISyntaxException(text, "no scheme");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new InvalidRequestException(
          id.toString(), "downloadUrl '" + text + "' is not a URI: " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode json, String field, SegmentId id) {
    JsonNode value = json.get(field);
    if (value == null || !value.isValueNode() || value.asText().isBlank()) {
      throw new InvalidRequestException(id.toString(), "body needs a non-empty \"" + field + "\"");
    }
    return value.asText().trim();
  }

  private static long crc(String value, SegmentId id) {
    try {
      long crc = Long.parseLong(value);
      if (crc < 0) {
        throw new NumberFormatException("negative");
      }
      return crc;
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(
          id.toString(), "crc '" + value + "' is not a non-negative number");
    }
  }
}
