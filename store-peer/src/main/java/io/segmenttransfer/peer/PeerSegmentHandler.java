package io.segmenttransfer.peer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.segmenttransfer.core.archive.ArchiveOptions;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.SegmentArchiveProducer;
import io.segmenttransfer.core.error.EntityNotFoundException;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.local.LocalSegment;
import io.segmenttransfer.core.local.LocalSegments;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.http.ByteRange;
import io.segmenttransfer.http.ErrorBody;
import io.segmenttransfer.http.ErrorStatus;
import io.segmenttransfer.http.JsonReply;
import io.segmenttransfer.http.PathParameters;
import io.segmenttransfer.http.QueryParameters;
import io.segmenttransfer.peer.internal.ArchiveCache;
import io.segmenttransfer.peer.internal.UploadLimits;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * Serves this server's segments to peers: {@code GET|HEAD
 * /segments/{tableNameWithType}/{segmentName}} on the admin port, as a Pinot server does.
 *
 * <ul>
 *   <li>GET: the archive built on the fly from the segment directory (no temporary tar), gzip by
 *       default, zstd for {@code Accept: application/zstd} or {@code ?codec=zstd}, in the parallel
 *       layouts compressed on every core (zstd at level {@value #ZSTD_LEVEL}); the plain tar, which
 *       costs no compression, for {@code Accept: application/x-tar} or {@code ?codec=none}; {@code
 *       application/octet-stream}, {@code Content-Disposition}, chunked, and an {@code ETag
 *       "<crc>-<codec>-v2"} ({@code zstd1} for zstd at level 1) that names the bytes: archives are
 *       deterministic, so every peer with that CRC serves the same bytes. The bytes are also
 *       written to the archive cache, except a plain tar's, which costs nothing to build again.
 *   <li>GET with {@code Range: bytes=N-}: 206 from the cached archive, built into the cache first
 *       when absent; 416 past the end. Other range forms, and a range of an archive larger than the
 *       cache, get the whole archive (a 200), as HTTP allows.
 *   <li>{@code If-Match} with another ETag: 412. HEAD: the ETag, and Content-Length when cached.
 *   <li>404 when the segment is not held here; 400 for a malformed name or codec; 503 with {@code
 *       Retry-After} when {@code maxConcurrentUploads} responses are already running. Errors carry
 *       Pinot's JSON error body, with the status of transfer-http's one mapping.
 * </ul>
 *
 * <p>The segment is read under its lock ({@link LocalSegments#withSegment}) for the whole response,
 * so a reload cannot mix two versions into one archive. File reads, compression and cache writes
 * run on the given scheduler, never on the event loop; memory per response is a few 64 KiB buffers.
 * An archive built on the fly is compressed into pooled direct buffers and a cached one read into
 * them, which the socket or the TLS engine takes without a copy (reactor-netty releases what it
 * wrote, the discard hook what a response ended early left behind).
 */
public final class PeerSegmentHandler {

  /** The route, with the path variables Pinot uses. */
  public static final String PATH = "/segments/{tableNameWithType}/{segmentName}";

  /**
   * The zstd level of archives built for peers. A peer builds the archive while the downloader
   * waits (and, on a small machine, while it decodes): level 1 costs half of level 3's CPU
   * (measured with the zstd CLI, one thread: 0.34 s against 0.71 s for the real 120 MiB Pinot
   * segment, 0.39 against 0.69 s for the 128 MiB generated one) for archives 0.8% larger (real) or
   * 1.2% smaller (generated). Part of the bytes, so named in the ETag.
   *
   * <p>Not a negative ("fast") level: on the real segment (zstd-jni, our 4 MiB frames, one thread,
   * best of 5) level 1 makes 57.0 MiB in 0.24 s and decodes in 0.083 s; -1 makes 69.9 MiB (+23%) in
   * 0.17-0.19 s (decode 0.065 s), -3 84.4 MiB (+48%) in 0.15-0.18 s, -7 93.4 MiB in 0.17 s, -10
   * 96.4 MiB in 0.14 s. Pinot's columns are mostly bit-packed and dictionary-coded, so what zstd
   * saves here is Huffman-coded literals, and the fast levels turn literal compression off: the
   * bytes grow far more than the CPU falls. On a 1 Gbit/s link -1 adds 0.11 s of transfer to save
   * about 0.06 s of CPU (encode and decode); even on two shared cores over loopback, where only the
   * CPU counts, the peer download measured 0.36 s at -1 and 0.32 s at -3 against 0.39 s at 1 (one
   * run each, warm medians, file path 0.18 s): not worth a 23-48% larger archive. Smaller
   * parameters at level 1 (hash log 12, min match 7) saved 0.03-0.05 s for 5% more bytes.
   */
  static final int ZSTD_LEVEL = 1;

  private static final Logger LOG = LoggerFactory.getLogger(PeerSegmentHandler.class);

  private static final int CHUNK_SIZE = SegmentArchiveProducer.CHUNK_SIZE;

  private final LocalSegments segments;
  private final PeerServeConfig config;
  private final Scheduler scheduler;
  private final ArchiveCache cache;
  private final UploadLimits limits;

  /**
   * Prepares the archive cache directory (blocking: call at startup, off the event loops).
   *
   * @param scheduler a blocking-capable scheduler for file reads, compression and cache writes
   */
  public PeerSegmentHandler(LocalSegments segments, PeerServeConfig config, Scheduler scheduler) {
    this.segments = segments;
    this.config = config;
    this.scheduler = scheduler;
    this.cache = new ArchiveCache(config.cacheDirectory(), config.maxCacheBytes());
    this.limits = new UploadLimits(config.maxConcurrentUploads(), config.bytesPerSecond());
  }

  /** Adds the GET and HEAD routes of {@link #PATH}. */
  public HttpServerRoutes register(HttpServerRoutes routes) {
    return routes.head(PATH, this::handle).get(PATH, this::handle);
  }

  /** Uploads in progress now. */
  public int activeUploads() {
    return limits.active();
  }

  /** Bytes of archives in the cache. */
  public long cachedBytes() {
    return cache.totalBytes();
  }

  /** Handles one request; completes when the response is sent, with the response's own errors. */
  public Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
    return Mono.defer(
        () -> {
          Request parsed;
          try {
            parsed = Request.parse(request, config.defaultCodec());
          } catch (InvalidRequestException e) {
            return JsonReply.error(e).send(response);
          }
          if (parsed.head()) {
            return serve(parsed, response);
          }
          if (!limits.tryAcquire()) {
            long seconds = Math.max(1, (config.retryAfter().toMillis() + 999) / 1000);
            response.header(HttpHeaderNames.RETRY_AFTER, Long.toString(seconds));
            return new JsonReply(
                    503,
                    new ErrorBody(
                        503,
                        "too many peer downloads in progress ("
                            + config.maxConcurrentUploads()
                            + ")"))
                .send(response);
          }
          return serve(parsed, response).doFinally(signal -> limits.release());
        });
  }

  // ---------------------------------------------------------------- request

  /** What the client asked for. {@code rangeStart} is -1 for the whole archive. */
  private record Request(
      SegmentId segment, boolean head, Codec codec, long rangeStart, List<String> ifMatch) {

    static Request parse(HttpServerRequest request, Codec defaultCodec) {
      String table = PathParameters.decoded(request, "tableNameWithType");
      String name = PathParameters.decoded(request, "segmentName");
      SegmentId segment = SegmentId.of(table, name);
      Codec codec =
          codec(QueryParameters.of(request).get("codec"), acceptHeader(request), defaultCodec);
      return new Request(
          segment,
          request.method().equals(HttpMethod.HEAD),
          codec,
          rangeStart(request.requestHeaders().get(HttpHeaderNames.RANGE)),
          request.requestHeaders().getAll(HttpHeaderNames.IF_MATCH));
    }

    /** Every {@code Accept} line as one list, as HTTP reads a header sent on several lines. */
    private static @Nullable String acceptHeader(HttpServerRequest request) {
      List<String> lines = request.requestHeaders().getAll(HttpHeaderNames.ACCEPT);
      return lines.isEmpty() ? null : String.join(",", lines);
    }

    private static Codec codec(
        List<String> parameter, @Nullable String accept, Codec defaultCodec) {
      if (parameter != null && !parameter.isEmpty()) {
        String value = parameter.get(0);
        return Codec.named(value)
            .orElseThrow(
                () ->
                    new InvalidRequestException(
                        null, "unknown codec '" + value + "': expected gzip, zstd, lz4 or none"));
      }
      // Our downloader names the codec it wants first (HttpSegmentStore.accept); a client that
      // names none gets the default, which is what Pinot's own peers expect.
      return AcceptedCodec.preferred(accept).orElse(defaultCodec);
    }

    /**
     * N of {@code bytes=N-}, the form a download resumes with; -1 for no header or any other form,
     * served as a full response as HTTP allows.
     */
    private static long rangeStart(String range) {
      return ByteRange.parse(range).filter(ByteRange::isToEnd).map(ByteRange::first).orElse(-1L);
    }

    String etag(long crc) {
      return Long.toUnsignedString(crc)
          + "-"
          + codec.name().toLowerCase(Locale.ROOT)
          + (codec == Codec.ZSTD ? Integer.toString(ZSTD_LEVEL) : "")
          + "-"
          + SegmentArchiveProducer.FORMAT_VERSION;
    }

    boolean matches(String etag) {
      if (ifMatch.isEmpty()) {
        return true;
      }
      for (String header : ifMatch) {
        for (String tag : header.split(",")) {
          String t = tag.trim();
          if (t.equals("*") || t.equals("\"" + etag + "\"") || t.equals("W/\"" + etag + "\"")) {
            return true;
          }
        }
      }
      return false;
    }
  }

  // ---------------------------------------------------------------- response plan

  /** A response as a stream: its status and headers first, then the body's chunks. */
  private sealed interface Part {}

  private record Head(HttpResponseStatus status, Map<CharSequence, String> headers, boolean hasBody)
      implements Part {}

  /**
   * Body bytes in a pooled direct buffer: an archive built on the fly is compressed into it, a
   * cached one read into it straight from the file, and the socket (plain) or the TLS engine
   * (HTTPS) and the cache file take them without copying them from the heap first. Released by
   * whoever holds it last: reactor-netty once written, the discard hook in {@link #serve} when the
   * response ends early or the bytes only go to the cache.
   */
  private record PooledChunk(ByteBuf bytes) implements Part {}

  private Mono<Void> serve(Request request, HttpServerResponse response) {
    Flux<Part> parts = segments.withSegment(request.segment(), local -> plan(request, local));
    return parts
        .switchOnFirst(
            (first, all) -> {
              if (first.hasValue() && first.get() instanceof Head head) {
                response.status(head.status());
                head.headers().forEach(response::header);
                if (!head.hasBody()) {
                  return all.then(response.send());
                }
                Flux<Part> body = all.skip(1);
                if (limits.rateLimited()) {
                  body = body.delayUntil(part -> delay(limits.reserve(length(part))));
                }
                return response.send(body.map(PeerSegmentHandler::buffer)).then();
              }
              if (first.isOnError()) {
                Throwable error = first.getThrowable();
                LOG.warn("Serving {} to a peer failed: {}", request.segment(), error.toString());
                // The status from the one mapping; the message stays terse: local paths are no
                // peer's business.
                int status = ErrorStatus.of(error).code();
                return new JsonReply(
                        status, new ErrorBody(status, "cannot read segment " + request.segment()))
                    .send(response);
              }
              return JsonReply.error(
                      new EntityNotFoundException(
                          null, "segment " + request.segment() + " is not served here"))
                  .send(response);
            })
        .doOnDiscard(PooledChunk.class, chunk -> chunk.bytes().release())
        .then();
  }

  private static int length(Part chunk) {
    return ((PooledChunk) chunk).bytes().readableBytes();
  }

  private static ByteBuf buffer(Part chunk) {
    return ((PooledChunk) chunk).bytes();
  }

  private static Mono<Void> delay(Duration wait) {
    return wait.isZero() ? Mono.empty() : Mono.delay(wait).then();
  }

  /** Runs under the segment's lock: decides the answer and streams it. */
  private Flux<Part> plan(Request request, LocalSegment local) {
    String etag = request.etag(local.crc());
    ArchiveCache.Key key =
        new ArchiveCache.Key(
            local.segment().table().toString(),
            local.segment().segmentName(),
            local.crc(),
            request.codec());
    Map<CharSequence, String> headers = new LinkedHashMap<>();
    headers.put(HttpHeaderNames.ETAG, "\"" + etag + "\"");
    headers.put(HttpHeaderNames.ACCEPT_RANGES, "bytes");
    // The codec, and so the bytes, depend on Accept: a cache between a peer and its clients must
    // not hand one client's zstd to another that asked for gzip.
    headers.put(HttpHeaderNames.VARY, "Accept");
    if (!request.matches(etag)) {
      headers.put(HttpHeaderNames.CONTENT_LENGTH, "0");
      return Flux.just(new Head(HttpResponseStatus.PRECONDITION_FAILED, headers, false));
    }
    headers.put(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM.toString());
    headers.put(
        HttpHeaderNames.CONTENT_DISPOSITION,
        "attachment; filename=\""
            + local.segment().segmentName()
            + "."
            + request.codec().extension()
            + "\"");
    if (request.head()) {
      cache
          .size(key)
          .ifPresent(size -> headers.put(HttpHeaderNames.CONTENT_LENGTH, Long.toString(size)));
      return Flux.just(new Head(HttpResponseStatus.OK, headers, false));
    }
    if (request.rangeStart() < 0) {
      return openCached(key)
          .flatMapMany(
              cached ->
                  cached
                      .map(opened -> fromCache(headers, opened, 0, false))
                      .orElseGet(() -> build(headers, local, request.codec(), key)));
    }
    return openCached(key)
        .flatMap(
            cached ->
                cached.isPresent()
                    ? Mono.just(cached)
                    : buildIntoCache(local, request.codec(), key))
        .flatMapMany(
            cached ->
                cached
                    .map(opened -> fromCache(headers, opened, request.rangeStart(), true))
                    .orElseGet(() -> wholeInsteadOfRange(headers, local, request.codec(), key)));
  }

  private Mono<Optional<ArchiveCache.Opened>> openCached(ArchiveCache.Key key) {
    return Mono.fromCallable(() -> cache.open(key)).subscribeOn(scheduler);
  }

  /**
   * The full archive, built now and copied into the cache on the way; a plain tar is not copied:
   * building it again costs no compression, and writing every byte a second time cost its response
   * more than a tenth of its time (a resumed download builds it into the cache then).
   */
  private Flux<Part> build(
      Map<CharSequence, String> headers, LocalSegment local, Codec codec, ArchiveCache.Key key) {
    return Flux.<Part>concat(
        Mono.just(new Head(HttpResponseStatus.OK, headers, true)),
        produce(local, codec, codec == Codec.NONE ? null : key));
  }

  /**
   * Builds the archive into the cache (output discarded on the way) and opens it; empty when
   * another archive added at the same time evicted it before it could be opened.
   */
  private Mono<Optional<ArchiveCache.Opened>> buildIntoCache(
      LocalSegment local, Codec codec, ArchiveCache.Key key) {
    return produce(local, codec, key).then(openCached(key));
  }

  /**
   * A range request whose archive left the cache before it could be served: the whole archive,
   * built again, as a 200, which HTTP allows for a range; archives are deterministic, so a resuming
   * client skips to its offset in the same bytes (this project's downloader does) rather than
   * failing the resume.
   */
  private Flux<Part> wholeInsteadOfRange(
      Map<CharSequence, String> headers, LocalSegment local, Codec codec, ArchiveCache.Key key) {
    LOG.info("The archive of {} left the cache before its range was served: sending it whole", key);
    return Flux.<Part>concat(
        Mono.just(new Head(HttpResponseStatus.OK, headers, true)), produce(local, codec, null));
  }

  /**
   * The archive's chunks, compressed on the scheduler on demand into pooled direct buffers (a heap
   * chunk per 64 KiB was copied twice more, into a direct buffer for the socket and by the JDK for
   * the cache file, and its allocation and collection profiled at about a tenth of a peer
   * download's CPU); the cache copy is committed on completion and dropped on error or cancel
   * (cleanup also runs on the scheduler). Emitted as {@link PooledChunk}s from the start, so a
   * buffer an operator drops is always one the discard hook releases.
   */
  private Flux<Part> produce(LocalSegment local, Codec codec, ArchiveCache.@Nullable Key key) {
    return Flux.<Part, SegmentArchiveProducer>generate(
            () -> producer(local, codec, key),
            (producer, sink) -> {
              ByteBuf chunk = ByteBufAllocator.DEFAULT.directBuffer(CHUNK_SIZE, CHUNK_SIZE);
              int n;
              try {
                n = producer.read(chunk.nioBuffer(0, CHUNK_SIZE));
              } catch (IOException | RuntimeException e) {
                chunk.release();
                sink.error(e);
                return producer;
              }
              if (n < 0) {
                chunk.release();
                sink.complete();
              } else {
                sink.next(new PooledChunk(chunk.writerIndex(n)));
              }
              return producer;
            },
            SegmentArchiveProducer::close)
        .subscribeOn(scheduler)
        .cancelOn(scheduler);
  }

  /**
   * Lists the segment and opens the cache copy (none without a key); the copy is dropped if the
   * listing fails.
   */
  private SegmentArchiveProducer producer(
      LocalSegment local, Codec codec, ArchiveCache.@Nullable Key key) throws IOException {
    ArchiveCache.@Nullable Writer writer = key == null ? null : cache.writer(key);
    try {
      return new SegmentArchiveProducer(
          local.directory(),
          local.segment().segmentName(),
          local.creationMeta().creationTimeMs(),
          codec,
          options(codec),
          writer);
    } catch (IOException | RuntimeException e) {
      if (writer != null) {
        writer.abort();
      }
      throw e;
    }
  }

  /** Our writers' parallel layout, zstd at {@link #ZSTD_LEVEL}. */
  static ArchiveOptions options(Codec codec) {
    ArchiveOptions defaults = ArchiveOptions.defaults(codec);
    return codec == Codec.ZSTD ? defaults.withLevel(ZSTD_LEVEL) : defaults;
  }

  /**
   * Head and bytes of a cached archive from {@code start}: 206 (or 416 past the end) for a range,
   * 200 for the whole. The channel is closed when the stream ends, fails or is cancelled.
   */
  private Flux<Part> fromCache(
      Map<CharSequence, String> headers, ArchiveCache.Opened opened, long start, boolean ranged) {
    return Flux.using(
            () -> opened.channel(),
            channel -> {
              long size = opened.size();
              Map<CharSequence, String> h = new LinkedHashMap<>(headers);
              Optional<ByteRange.Slice> slice = new ByteRange(start, ByteRange.TO_END).slice(size);
              if (ranged && slice.isEmpty()) {
                h.put(HttpHeaderNames.CONTENT_RANGE, ByteRange.unsatisfiable(size));
                h.put(HttpHeaderNames.CONTENT_LENGTH, "0");
                h.remove(HttpHeaderNames.CONTENT_DISPOSITION);
                return Flux.just(
                    new Head(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE, h, false));
              }
              h.put(HttpHeaderNames.CONTENT_LENGTH, Long.toString(size - start));
              HttpResponseStatus status = HttpResponseStatus.OK;
              if (ranged) {
                status = HttpResponseStatus.PARTIAL_CONTENT;
                h.put(HttpHeaderNames.CONTENT_RANGE, slice.orElseThrow().contentRange());
              }
              return Flux.<Part>concat(Mono.just(new Head(status, h, true)), read(channel, start));
            },
            PeerSegmentHandler::closeQuietly)
        .cancelOn(scheduler);
  }

  /**
   * The file's bytes from {@code start}, read on the scheduler on demand into pooled direct buffers
   * (a read into a heap buffer goes through the JDK's own direct buffer and is copied twice more on
   * its way to the socket). Emitted as {@link PooledChunk}s from the start, so a buffer an operator
   * drops is always one the discard hook releases.
   */
  private Flux<Part> read(FileChannel channel, long start) {
    return Flux.<Part, Long>generate(
            () -> start,
            (position, sink) -> {
              ByteBuf chunk = ByteBufAllocator.DEFAULT.directBuffer(CHUNK_SIZE);
              int n;
              try {
                n = chunk.writeBytes(channel, position, CHUNK_SIZE);
              } catch (IOException | RuntimeException e) {
                chunk.release();
                sink.error(e);
                return position;
              }
              if (n < 0) {
                chunk.release();
                sink.complete();
                return position;
              }
              sink.next(new PooledChunk(chunk));
              return position + n;
            })
        .subscribeOn(scheduler);
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Read-only: nothing is lost.
    }
  }
}
