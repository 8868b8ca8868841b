package io.segmenttransfer.controller;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.segmenttransfer.controller.ControllerStore.SegmentDocument;
import io.segmenttransfer.core.error.EntityNotFoundException;
import io.segmenttransfer.core.error.SourceChangedException;
import io.segmenttransfer.core.store.ObjectInfo;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.http.ByteRange;
import io.segmenttransfer.http.ErrorBody;
import io.segmenttransfer.http.JsonReply;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Optional;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Serves a segment's archive from the deep store byte for byte ({@code GET /segments/{t}/{s}}), so
 * the controller is an HTTP deep store: {@code ETag} from the store's object version, {@code
 * Content-Length}, single byte ranges ({@code bytes=N-}, {@code bytes=N-M}, {@code bytes=-K}, read
 * by {@link ByteRange}) answered with 206 so clients resume where they stopped, or 416 when the
 * range misses the archive, {@code If-Match} checked (412 when the archive changed) and the read
 * itself pinned to the version that was announced.
 */
final class SegmentDownload {

  private final SegmentStores stores;

  SegmentDownload(SegmentStores stores) {
    this.stores = stores;
  }

  Mono<Void> handle(
      HttpServerRequest request,
      HttpServerResponse response,
      SegmentDocument segment,
      boolean head) {
    URI archive = segment.archive();
    if (archive == null) {
      throw new EntityNotFoundException(
          null,
          "Segment "
              + segment.id().segmentName()
              + " has no copy on this controller (download it from its peers)");
    }
    SegmentStore store = stores.forUri(archive);
    return store
        .stat(archive)
        .flatMap(
            info -> {
              String etag = etag(info.version());
              String ifMatch = request.requestHeaders().get(HttpHeaderNames.IF_MATCH);
              if (ifMatch != null && !matches(ifMatch, etag)) {
                return Mono.error(
                    new SourceChangedException(
                        archive,
                        "archive of segment "
                            + segment.id().segmentName()
                            + " changed: ETag is "
                            + etag
                            + ", not "
                            + ifMatch));
              }
              response
                  .header(HttpHeaderNames.ETAG, etag)
                  .header(HttpHeaderNames.ACCEPT_RANGES, "bytes");
              Optional<ByteRange> range =
                  ByteRange.parse(request.requestHeaders().get(HttpHeaderNames.RANGE));
              Optional<ByteRange.Slice> slice = range.flatMap(r -> r.slice(info.size()));
              if (range.isPresent() && slice.isEmpty()) {
                response.header(
                    HttpHeaderNames.CONTENT_RANGE, ByteRange.unsatisfiable(info.size()));
                return new JsonReply(
                        416,
                        new ErrorBody(
                            416,
                            range.get()
                                + " selects no byte of the "
                                + info.size()
                                + "-byte archive"))
                    .send(response);
              }
              String fileName = archive.getPath().substring(archive.getPath().lastIndexOf('/') + 1);
              response
                  .header(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream")
                  .header(
                      HttpHeaderNames.CONTENT_DISPOSITION,
                      "attachment; filename=\"" + fileName + "\"");
              long length = slice.map(ByteRange.Slice::length).orElse(info.size());
              if (slice.isPresent()) {
                response
                    .status(206)
                    .header(HttpHeaderNames.CONTENT_RANGE, slice.get().contentRange());
              } else {
                response.status(200);
              }
              response.header(HttpHeaderNames.CONTENT_LENGTH, Long.toString(length));
              if (head || length == 0) {
                return response.send().then();
              }
              return response
                  .send(
                      body(
                          store,
                          archive,
                          info,
                          slice.map(ByteRange.Slice::start).orElse(0L),
                          length))
                  .then();
            });
  }

  /**
   * The range's bytes as buffers wrapping the store's chunks (no copy). Each buffer goes to Netty,
   * which releases it once written; wrapping an NIO buffer allocates nothing to leak.
   */
  private static Flux<ByteBuf> body(
      SegmentStore store, URI archive, ObjectInfo info, long start, long length) {
    return Flux.defer(
        () -> {
          long[] left = {length};
          return store
              .read(archive, start, info.version())
              .<ByteBuffer>handle(
                  (chunk, sink) -> {
                    if (left[0] <= 0) {
                      return;
                    }
                    if (chunk.remaining() > left[0]) {
                      chunk.limit(chunk.position() + (int) left[0]);
                    }
                    left[0] -= chunk.remaining();
                    sink.next(chunk);
                    if (left[0] == 0) {
                      sink.complete();
                    }
                  })
              .map(Unpooled::wrappedBuffer);
        });
  }

  /**
   * An entity tag for a store's object version. Versions may hold quotes and commas (S3 ETags, file
   * keys), which an entity tag cannot, so the tag is a digest of the version.
   */
  static String etag(String version) {
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(version.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return "\"" + java.util.HexFormat.of().formatHex(digest, 0, 16) + "\"";
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  private static boolean matches(String ifMatch, String etag) {
    for (String candidate : ifMatch.split(",")) {
      String c = candidate.trim();
      if (c.equals("*") || c.equals(etag) || c.equals("W/" + etag)) {
        return true;
      }
    }
    return false;
  }
}
