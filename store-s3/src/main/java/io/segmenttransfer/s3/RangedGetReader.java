package io.segmenttransfer.s3;

import io.segmenttransfer.core.error.SourceChangedException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.store.ObjectInfo;
import io.segmenttransfer.core.stream.ChunkCoalescer;
import io.segmenttransfer.core.transfer.RetryPolicy;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.core.async.ResponsePublisher;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Reads an object as ranged GETs of {@code readPartSize} bytes, up to {@code readConcurrency} in
 * flight, re-emitted strictly in order.
 *
 * <p>The first GET fetches the first part and tells the object's size and ETag; every later GET
 * (the other parts, and any retry, the first part's included) carries {@code If-Match} with that
 * ETag, so one read never mixes two versions of the object. A part that fails with a retryable
 * error is fetched again from the first byte it has not emitted yet.
 *
 * <p>Memory: {@code flatMapSequential} keeps at most {@code readConcurrency} parts open; parts
 * behind the head buffer what they receive, at most one part each (the prefetch is sized so that a
 * part can finish downloading while it waits, never more than its own bytes exist). The SDK's Netty
 * client stops reading a connection when its part has no demand, so the bound holds however slow
 * the consumer is.
 */
final class RangedGetReader {

  /**
   * Bytes per emitted buffer. The SDK hands a body over in the HTTP decoder's 8 KiB buffers; each
   * part gathers them into chunks as large as the file store's, so the pipeline's per-chunk work
   * runs as often from S3 as from a file.
   */
  static final int CHUNK_SIZE = LocalFileSegmentStore.DEFAULT_CHUNK_SIZE;

  private final S3AsyncClient client;
  private final int partSize;
  private final int concurrency;
  private final int prefetch;
  private final RetryPolicy backoff;
  private final Function<S3Location, Mono<ObjectInfo>> stat;

  /** {@code stat} answers size and version when a range turns out to start at or past the end. */
  RangedGetReader(
      S3AsyncClient client, S3Config config, Function<S3Location, Mono<ObjectInfo>> stat) {
    this.client = client;
    this.stat = stat;
    this.partSize = config.readPartSize();
    this.concurrency = config.readConcurrency();
    this.prefetch = prefetch(config.readPartSize());
    this.backoff = config.retryPolicy();
  }

  /**
   * Buffers queued per part: enough for a whole part, which then finishes downloading while it
   * waits its turn. A part emits chunks of {@link #CHUNK_SIZE} (the last one shorter) and SDK
   * buffers of at least half a chunk passed through uncopied, so at most {@code 2 * partSize /
   * CHUNK_SIZE + 1} buffers; never more bytes than the part has.
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
   * Buffers are chunks of {@link #CHUNK_SIZE} gathered from the SDK's body buffers (fresh heap
   * buffers, not pooled), or large SDK buffers as they are; they belong to the subscriber.
   */
  Flux<ByteBuffer> read(S3Location location, long offset, String version) {
    return Flux.defer(
        () -> {
          if (offset < 0) {
            return Flux.error(
                new SourceChangedException(
                    location.uri(), "cannot read from negative offset " + offset));
          }
          long firstByteAfter = offset + partSize < 0 ? Long.MAX_VALUE : offset + partSize;
          return get(location, offset, firstByteAfter - 1, version)
              .retryWhen(backoff.retrySpec())
              .map(first -> parts(location, offset, first, version))
              .onErrorResume(
                  S3Errors::isRangeNotSatisfiable,
                  e -> Mono.just(atOrPastTheEnd(location, offset, version)))
              .flatMapMany(Function.identity());
        });
  }

  /**
   * S3 answers 416 to a range starting at or past the end: at the end is an empty read, past it an
   * error.
   */
  private Flux<ByteBuffer> atOrPastTheEnd(S3Location location, long offset, String version) {
    return stat.apply(location)
        .flatMapMany(
            info -> {
              if (version != null && !version.equals(info.version())) {
                return Flux.error(
                    new SourceChangedException(
                        location.uri(),
                        "object changed: version " + info.version() + ", expected " + version));
              }
              return info.size() == offset
                  ? Flux.<ByteBuffer>empty()
                  : Flux.error(
                      new SourceChangedException(
                          location.uri(),
                          "cannot read from byte "
                              + offset
                              + " of a "
                              + info.size()
                              + "-byte object"));
            });
  }

  private Flux<ByteBuffer> parts(
      S3Location location,
      long offset,
      ResponsePublisher<GetObjectResponse> first,
      String version) {
    GetObjectResponse response = first.response();
    long size;
    try {
      size = objectSize(location, response, offset);
    } catch (SourceChangedException e) {
      AbandonableBody.release(first);
      return Flux.error(e);
    }
    // Without a requested version the first response's ETag pins the rest of the read.
    String etag = version != null ? version : response.eTag();
    Part head = new Part(offset, Math.min(size, offset + partSize));
    long remaining = size - head.end();
    long count = (remaining + partSize - 1) / partSize;
    Flux<Flux<ByteBuffer>> streams =
        Flux.concat(
            Mono.just(partBytes(location, head, etag, first)),
            Flux.range(0, Math.toIntExact(count))
                .map(
                    i -> {
                      long start = head.end() + (long) i * partSize;
                      return partBytes(
                          location, new Part(start, Math.min(size, start + partSize)), etag, null);
                    }));
    return streams.flatMapSequential(Function.identity(), concurrency, prefetch);
  }

  /**
   * One part, retried from the first byte not yet emitted. {@code opened} is the first GET's
   * response, used for the first attempt of the head part only.
   */
  private Flux<ByteBuffer> partBytes(
      S3Location location, Part part, String etag, ResponsePublisher<GetObjectResponse> opened) {
    AtomicReference<ResponsePublisher<GetObjectResponse>> preopened = new AtomicReference<>(opened);
    return Flux.defer(
            () -> {
              AtomicLong emitted = new AtomicLong();
              return Flux.defer(
                      () -> {
                        long from = part.start() + emitted.get();
                        ResponsePublisher<GetObjectResponse> body = preopened.getAndSet(null);
                        Mono<ResponsePublisher<GetObjectResponse>> open =
                            body != null
                                ? Mono.just(body)
                                : get(location, from, part.end() - 1, etag)
                                    .flatMap(r -> checkResumed(location, r, from, etag));
                        // Gathered into chunks before counting, so only bytes handed downstream are
                        // counted
                        // and a retry resumes at the first byte not emitted.
                        return ChunkCoalescer.coalesce(open.flatMapMany(Flux::from), CHUNK_SIZE)
                            .onErrorMap(e -> S3Errors.map(location.uri(), e))
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
            })
        .doFinally(
            signal -> {
              // The head part may be cancelled before its pre-opened response was ever subscribed.
              ResponsePublisher<GetObjectResponse> unused = preopened.getAndSet(null);
              if (unused != null) {
                AbandonableBody.release(unused);
              }
            });
  }

  /**
   * Guards against servers that ignore {@code Range} or {@code If-Match}: a resumed response must
   * start where we asked and carry the pinned ETag.
   */
  private Mono<ResponsePublisher<GetObjectResponse>> checkResumed(
      S3Location location, ResponsePublisher<GetObjectResponse> body, long from, String etag) {
    GetObjectResponse response = body.response();
    if (etag != null && response.eTag() != null && !etag.equals(response.eTag())) {
      AbandonableBody.release(body);
      return Mono.error(
          new SourceChangedException(
              location.uri(),
              "object changed during the read: ETag " + response.eTag() + ", expected " + etag));
    }
    long start = rangeStart(response.contentRange());
    if (start != from) {
      AbandonableBody.release(body);
      return Mono.error(
          new SourceChangedException(
              location.uri(),
              "asked for bytes from " + from + ", the server sent " + response.contentRange()));
    }
    return Mono.just(body);
  }

  private Mono<ResponsePublisher<GetObjectResponse>> get(
      S3Location location, long from, long toInclusive, String ifMatch) {
    GetObjectRequest request =
        GetObjectRequest.builder()
            .bucket(location.bucket())
            .key(location.key())
            .range("bytes=" + from + "-" + toInclusive)
            .ifMatch(ifMatch)
            .build();
    // Cancelling the Mono cancels the SDK future, which aborts a request still waiting; a body
    // that arrives anyway (or arrived as the cancel ran) is released by the abandoned transformer.
    return Mono.defer(
            () -> {
              AbandonableBody transformer = new AbandonableBody();
              return Mono.fromFuture(() -> client.getObject(request, transformer))
                  .doOnNext(body -> transformer.handedOver())
                  .doOnCancel(transformer::abandon);
            })
        .onErrorMap(e -> S3Errors.map(location.uri(), e));
  }

  /**
   * The total size from {@code Content-Range: bytes a-b/total} (or the length of a full-body 200).
   */
  private static long objectSize(S3Location location, GetObjectResponse response, long offset) {
    String range = response.contentRange();
    if (range == null) {
      if (offset == 0 && response.contentLength() != null) {
        return response.contentLength();
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
  private static long rangeStart(String contentRange) {
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
