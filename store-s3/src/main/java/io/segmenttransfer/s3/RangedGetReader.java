package io.segmenttransfer.s3;

import io.netty.buffer.ByteBuf;
import io.segmenttransfer.core.error.SourceChangedException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.store.ObjectInfo;
import io.segmenttransfer.core.stream.ChunkCoalescer;
import io.segmenttransfer.core.transfer.RetryPolicy;
import io.segmenttransfer.http.NettyBuffers;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;

/**
 * Reads an object as ranged GETs of {@code readPartSize} bytes, up to {@code readConcurrency} in
 * flight, re-emitted strictly in order. How many are in flight adapts to the consumer ({@link
 * AdaptiveReadAhead}): two at first, more only while the consumer waits for bytes.
 *
 * <p>The first GET fetches the first part and tells the object's size and ETag; every later GET
 * (the other parts, and any retry, the first part's included) carries {@code If-Match} with that
 * ETag, so one read never mixes two versions of the object. A part that fails with a retryable
 * error is fetched again from the first byte it has not emitted yet.
 *
 * <p>Parts after the first are decided as they start ({@link PartPlan}): of the configured size, or
 * larger (up to four times) while the consumer has never waited for bytes, so a fast source serves
 * a read with fewer GETs.
 *
 * <p>Memory: {@code flatMapSequential} keeps at most {@code readConcurrency} parts open (and the
 * read-ahead lets only its current width of them send their GET); parts behind the head buffer what
 * they receive, at most one part each (the prefetch is sized so that a part, grown or not, can
 * finish downloading while it waits: one configured part per part, two for a grown one on a fast
 * source), plus up to {@link NettyBuffers#NETWORK_PREFETCH} network buffers each (1 MiB).
 * reactor-netty stops reading a connection when its part has no demand, so the bound holds however
 * slow the consumer is.
 *
 * <p>The GETs go through {@link S3Reads} (reactor-netty, presigned), whose pooled buffers are
 * copied once, into the chunks emitted.
 */
final class RangedGetReader {

  /**
   * Bytes per emitted buffer. Each part gathers the network buffers (one socket read each) into
   * chunks as large as the file store's, so the pipeline's per-chunk work runs as often from S3 as
   * from a file.
   */
  static final int CHUNK_SIZE = LocalFileSegmentStore.DEFAULT_CHUNK_SIZE;

  private final S3Reads gets;
  private final int partSize;
  private final int concurrency;
  private final int prefetch;
  private final RetryPolicy backoff;
  private final Function<S3Location, Mono<ObjectInfo>> stat;

  /** {@code stat} answers size and version when a range turns out to start at or past the end. */
  RangedGetReader(S3Reads gets, S3Config config, Function<S3Location, Mono<ObjectInfo>> stat) {
    this.gets = gets;
    this.stat = stat;
    this.partSize = config.readPartSize();
    this.concurrency = config.readConcurrency();
    this.prefetch = prefetch(config.readPartSize());
    this.backoff = config.retryPolicy();
  }

  /**
   * Buffers queued per part: enough for a whole part, grown ones ({@link PartPlan#MAX_GROWTH},
   * twice the configured size) included, which then finishes downloading while it waits its turn. A
   * part emits chunks of {@link #CHUNK_SIZE} (the last one shorter): at most {@code 2 * partSize /
   * CHUNK_SIZE + 1} of them, one more as slack; never more bytes than the part has.
   */
  static int prefetch(int partSize) {
    return Math.max(16, Math.min(4096, 2 * (partSize / CHUNK_SIZE) + 2));
  }

  /** A contiguous byte range of the object: [start, end). */
  record Part(long start, long end) {
    long length() {
      return end - start;
    }
  }

  /**
   * The object's bytes from {@code offset}; with a {@code version}, only while the object's ETag is
   * that version. Completes after the last byte; errors with a core {@code SourceException}.
   * Buffers are heap chunks of {@link #CHUNK_SIZE} (the last of a part shorter) gathered from the
   * network buffers; they belong to the subscriber.
   */
  Flux<ByteBuffer> read(S3Location location, long offset, @Nullable String version) {
    return read(location, offset, version, info -> {});
  }

  /**
   * As {@link #read(S3Location, long, String)}, telling {@code described} the object's size and
   * version (the pinned ETag) from the first response, before its first buffer is emitted (for a
   * read at the end, from the stat that found it so).
   */
  Flux<ByteBuffer> read(
      S3Location location, long offset, @Nullable String version, Consumer<ObjectInfo> described) {
    return Flux.defer(
        () -> {
          if (offset < 0) {
            return Flux.error(
                new SourceChangedException(
                    location.uri(), "cannot read from negative offset " + offset));
          }
          long firstByteAfter = offset + partSize < 0 ? Long.MAX_VALUE : offset + partSize;
          return firstResponse(location, offset, firstByteAfter - 1, version)
              .switchOnFirst(
                  (signal, response) -> {
                    if (!signal.hasValue()) {
                      return response.ignoreElements().thenMany(Flux.<ByteBuffer>empty());
                    }
                    S3Reads.Head head = (S3Reads.Head) signal.get();
                    return parts(
                        location,
                        offset,
                        head,
                        response.skip(1).cast(ByteBuf.class),
                        version,
                        described);
                  })
              .onErrorResume(
                  S3Errors::isRangeNotSatisfiable,
                  e -> atOrPastTheEnd(location, offset, version, described));
        });
  }

  /**
   * The first GET, retried until its response starts. A failure after that (in its body) is wrapped
   * in {@link BodyFailure}, which is not retried here: the first part resumes from the byte it
   * stopped at, like any other part.
   */
  private Flux<Object> firstResponse(
      S3Location location, long from, long toInclusive, @Nullable String version) {
    return Flux.defer(
            () -> {
              AtomicBoolean started = new AtomicBoolean();
              return gets.get(location, from, toInclusive, version)
                  .doOnNext(item -> started.set(true))
                  .onErrorMap(e -> started.get() ? new BodyFailure(e) : e);
            })
        .retryWhen(backoff.retrySpec());
  }

  /** A failure in the body of the first response, carried to the first part, which resumes. */
  private static final class BodyFailure extends RuntimeException {
    BodyFailure(Throwable cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }

  /**
   * S3 answers 416 to a range starting at or past the end: at the end is an empty read, past it an
   * error.
   */
  private Flux<ByteBuffer> atOrPastTheEnd(
      S3Location location, long offset, @Nullable String version, Consumer<ObjectInfo> described) {
    return stat.apply(location)
        .flatMapMany(
            info -> {
              if (version != null && !version.equals(info.version())) {
                return Flux.error(
                    new SourceChangedException(
                        location.uri(),
                        "object changed: version " + info.version() + ", expected " + version));
              }
              if (info.size() == offset) {
                described.accept(info);
                return Flux.<ByteBuffer>empty();
              }
              return Flux.error(
                  new SourceChangedException(
                      location.uri(),
                      "cannot read from byte " + offset + " of a " + info.size() + "-byte object"));
            });
  }

  private Flux<ByteBuffer> parts(
      S3Location location,
      long offset,
      S3Reads.Head first,
      Flux<ByteBuf> firstBody,
      @Nullable String version,
      Consumer<ObjectInfo> described) {
    long size;
    try {
      size = objectSize(location, first, offset);
    } catch (SourceChangedException e) {
      // Not subscribing to the body: switchOnFirst cancels the response, closing its connection.
      return Flux.error(e);
    }
    // Without a requested version the first response's ETag pins the rest of the read.
    String etag = version != null ? version : first.eTag();
    described.accept(new ObjectInfo(location.uri(), size, etag));
    Part head = new Part(offset, Math.min(size, offset + partSize));
    PartPlan plan = new PartPlan(head, size, partSize);
    AdaptiveReadAhead ahead = new AdaptiveReadAhead(plan, offset, partSize, concurrency);
    // Later parts are decided as they start (their number too): slots are numbered until the
    // parts decided reach the end; a slot found past the end then fetches nothing.
    Flux<Integer> slots =
        Flux.generate(
            () -> 1,
            (Integer index, SynchronousSink<Integer> sink) -> {
              if (plan.beyondEnd(index)) {
                sink.complete();
              } else {
                sink.next(index);
              }
              return index + 1;
            });
    Flux<Flux<ByteBuffer>> streams =
        Flux.concat(
            Mono.just(partBytes(location, head, etag, firstBody)),
            // Subscribed by the merge at once, sent when the read-ahead lets each start.
            slots.map(i -> ahead.part(i, part -> partBytes(location, part, etag, null))));
    return ahead.meter(streams.flatMapSequential(Function.identity(), concurrency, prefetch));
  }

  /**
   * One part, retried from the first byte not yet emitted. {@code opened} is the first GET's body,
   * used for the first attempt of the head part only.
   */
  private Flux<ByteBuffer> partBytes(
      S3Location location, Part part, @Nullable String etag, @Nullable Flux<ByteBuf> opened) {
    AtomicReference<Flux<ByteBuf>> preopened = new AtomicReference<>(opened);
    return Flux.defer(
        () -> {
          AtomicLong emitted = new AtomicLong();
          return Flux.defer(
                  () -> {
                    long from = part.start() + emitted.get();
                    Flux<ByteBuf> body = preopened.getAndSet(null);
                    Flux<ByteBuf> bytes =
                        body != null
                            ? body.onErrorMap(BodyFailure.class, Throwable::getCause)
                            : gets.get(location, from, part.end() - 1, etag)
                                .switchOnFirst(
                                    (signal, response) ->
                                        resumed(location, signal.get(), from, etag, response));
                    // Gathered into chunks before counting, so only bytes handed downstream are
                    // counted and a retry resumes at the first byte not emitted.
                    return ChunkCoalescer.coalesce(
                            bytes,
                            CHUNK_SIZE,
                            NettyBuffers.NETWORK_PREFETCH,
                            NettyBuffers.COALESCING)
                        .<ByteBuffer>handle(
                            (buffer, sink) -> {
                              if (emitted.addAndGet(buffer.remaining()) > part.length()) {
                                sink.error(
                                    new SourceChangedException(
                                        location.uri(),
                                        "part " + part + " received more bytes than asked"));
                              } else {
                                sink.next(buffer);
                              }
                            })
                        .concatWith(
                            Mono.defer(
                                () ->
                                    emitted.get() == part.length()
                                        ? Mono.empty()
                                        : Mono.error(
                                            new SourceUnavailableException(
                                                location.uri(),
                                                "response ended after "
                                                    + emitted.get()
                                                    + " of "
                                                    + part.length()
                                                    + " bytes of part "
                                                    + part,
                                                null))));
                  })
              .retryWhen(backoff.retrySpec());
        });
  }

  /**
   * A resumed response's body, after checking its head: servers that ignore {@code Range} or {@code
   * If-Match} are caught here, since a resumed response must start where we asked and carry the
   * pinned ETag. An error or an empty response passes through as it is.
   */
  private static Flux<ByteBuf> resumed(
      S3Location location,
      @Nullable Object first,
      long from,
      @Nullable String etag,
      Flux<Object> response) {
    if (!(first instanceof S3Reads.Head head)) {
      return response.ignoreElements().thenMany(Flux.<ByteBuf>empty());
    }
    if (etag != null && head.eTag() != null && !etag.equals(head.eTag())) {
      return Flux.error(
          new SourceChangedException(
              location.uri(),
              "object changed during the read: ETag " + head.eTag() + ", expected " + etag));
    }
    long start = rangeStart(head.contentRange());
    if (start != from) {
      return Flux.error(
          new SourceChangedException(
              location.uri(),
              "asked for bytes from " + from + ", the server sent " + head.contentRange()));
    }
    return response.skip(1).cast(ByteBuf.class);
  }

  /**
   * The total size from {@code Content-Range: bytes a-b/total} (or the length of a full-body 200).
   */
  private static long objectSize(S3Location location, S3Reads.Head response, long offset) {
    String range = response.contentRange();
    if (range == null) {
      if (offset == 0 && response.status() == 200 && response.length() >= 0) {
        return response.length();
      }
      throw new SourceChangedException(
          location.uri(), "the server ignored the Range request from byte " + offset);
    }
    int slash = range.lastIndexOf('/');
    long start = rangeStart(range);
    if (slash < 0 || start != offset || range.endsWith("/*")) {
      throw new SourceChangedException(
          location.uri(),
          "unexpected Content-Range '" + range + "' for a read from byte " + offset);
    }
    return Long.parseLong(range.substring(slash + 1).trim());
  }

  /** The first byte of {@code bytes a-b/total}, or -1 when absent or malformed. */
  private static long rangeStart(@Nullable String contentRange) {
    if (contentRange == null) {
      return -1;
    }
    String r = contentRange.trim();
    int space = r.indexOf(' ');
    int dash = r.indexOf('-', space + 1);
    if (space < 0 || dash < 0) {
      return -1;
    }
    try {
      return Long.parseLong(r.substring(space + 1, dash).trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
