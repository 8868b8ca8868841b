package io.segmenttransfer.controller;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.segmenttransfer.core.store.ObjectInfo;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.controller.ControllerStore.SegmentDocument;
import java.net.URI;
import java.nio.ByteBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Serves a segment's archive from the deep store byte for byte ({@code GET /segments/{t}/{s}}), so
 * the controller is an HTTP deep store: {@code ETag} from the store's object version,
 * {@code Content-Length}, single byte ranges ({@code bytes=N-}, {@code bytes=N-M},
 * {@code bytes=-K}) answered with 206 so clients resume where they stopped, {@code If-Match} checked
 * (412 when the archive changed) and the read itself pinned to the version that was announced.
 */
final class SegmentDownload {

  /** An inclusive byte range of an object. */
  record Range(long start, long end) {
    long length() {
      return end - start + 1;
    }
  }

  private final SegmentStores stores;

  SegmentDownload(SegmentStores stores) {
    this.stores = stores;
  }

  Mono<Void> handle(HttpServerRequest request, HttpServerResponse response, SegmentDocument segment, boolean head) {
    URI archive = segment.archive();
    if (archive == null) {
      throw HttpStatusException.notFound("Segment " + segment.id().segmentName()
          + " has no copy on this controller (download it from its peers)");
    }
    SegmentStore store = stores.forUri(archive);
    return store.stat(archive).flatMap(info -> {
      String etag = etag(info.version());
      String ifMatch = request.requestHeaders().get(HttpHeaderNames.IF_MATCH);
      if (ifMatch != null && !matches(ifMatch, etag)) {
        return Mono.error(new HttpStatusException(412, "archive of segment " + segment.id().segmentName()
            + " changed: ETag is " + etag + ", not " + ifMatch));
      }
      String fileName = archive.getPath().substring(archive.getPath().lastIndexOf('/') + 1);
      response.header(HttpHeaderNames.ETAG, etag)
          .header(HttpHeaderNames.ACCEPT_RANGES, "bytes")
          .header(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream")
          .header(HttpHeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + fileName + "\"");
      Range range = range(request.requestHeaders().get(HttpHeaderNames.RANGE), info.size());
      if (range != null && range.start() >= info.size()) {
        response.header(HttpHeaderNames.CONTENT_RANGE, "bytes */" + info.size());
        return Mono.error(new HttpStatusException(416, "range starts at or after the end of the "
            + info.size() + "-byte archive"));
      }
      Range served = range == null ? new Range(0, info.size() - 1) : range;
      if (range != null) {
        response.status(206).header(HttpHeaderNames.CONTENT_RANGE,
            "bytes " + range.start() + "-" + range.end() + "/" + info.size());
      } else {
        response.status(200);
      }
      response.header(HttpHeaderNames.CONTENT_LENGTH, Long.toString(Math.max(0, served.length())));
      if (head || served.length() <= 0) {
        return response.send().then();
      }
      return response.send(body(store, archive, info, served)).then();
    });
  }

  /**
   * The range's bytes as buffers wrapping the store's chunks (no copy). Each buffer goes to Netty,
   * which releases it once written; wrapping an NIO buffer allocates nothing to leak.
   */
  private static Flux<ByteBuf> body(SegmentStore store, URI archive, ObjectInfo info, Range range) {
    return Flux.defer(() -> {
      long[] left = {range.length()};
      return store.read(archive, range.start(), info.version())
          .<ByteBuffer>handle((chunk, sink) -> {
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
   * One {@code bytes=} range, or null for none (absent, several ranges, or a unit other than bytes:
   * the whole archive is then served, as RFC 9110 allows). A start beyond the end is returned as
   * is, for a 416.
   */
  static Range range(String header, long size) {
    if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0) {
      return null;
    }
    String spec = header.substring("bytes=".length()).trim();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return null;
    }
    try {
      String first = spec.substring(0, dash).trim();
      String last = spec.substring(dash + 1).trim();
      if (first.isEmpty()) {
        long suffix = Long.parseLong(last);
        return suffix <= 0 ? null : new Range(Math.max(0, size - suffix), size - 1);
      }
      long start = Long.parseLong(first);
      long end = last.isEmpty() ? size - 1 : Math.min(Long.parseLong(last), size - 1);
      if (start < 0 || (end < start && start < size)) {
        return null;
      }
      return new Range(start, Math.max(end, start));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * An entity tag for a store's object version. Versions may hold quotes and commas (S3 ETags,
   * file keys), which an entity tag cannot, so the tag is a digest of the version.
   */
  static String etag(String version) {
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
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
