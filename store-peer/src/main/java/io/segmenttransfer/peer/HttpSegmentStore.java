package io.segmenttransfer.peer;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SourceChangedException;
import io.segmenttransfer.core.error.SourceException;
import io.segmenttransfer.core.store.DescribedReads;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.store.ObjectInfo;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.core.stream.ChunkCoalescer;
import io.segmenttransfer.http.ClientWarmUp;
import io.segmenttransfer.http.HttpErrors;
import io.segmenttransfer.http.NettyBuffers;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.resources.ConnectionProvider;

/**
 * Reads segment archives over HTTP(S) with reactor-netty: a peer server's {@code
 * /segments/{tableNameWithType}/{segmentName}}, a controller's download URL, or any HTTP deep
 * store. Resumes with {@code Range: bytes=N-} and pins the version with {@code If-Match}.
 *
 * <p>Read-only: {@link #write} and {@link #delete} fail with {@link InvalidRequestException} ("HTTP
 * sources are read-only"), because neither peers nor controllers accept archives by a plain PUT;
 * uploads go through the controller's own endpoints.
 *
 * <p>Versions: the {@code ETag} (quotes and weak marker stripped). A source without an ETag, such
 * as a Pinot server that builds a different tar.gz on every request, gets a version unique to that
 * {@link #stat} call, so the downloader never splices its bytes onto another response's.
 *
 * <p>Errors are mapped in one place ({@code HttpErrors}): 404 not found, 401/403 access denied,
 * 412/416 changed, 5xx and connection failures unavailable (with the 503's {@code Retry-After}).
 */
public final class HttpSegmentStore implements SegmentStore, DescribedReads, AutoCloseable {

  /** Prefix of versions made up for sources without an ETag; never sent as {@code If-Match}. */
  static final String UNVERSIONED = "unversioned:";

  private static final AtomicLong UNVERSIONED_SEQUENCE = new AtomicLong();

  private static final AtomicBoolean WARMED_UP = new AtomicBoolean();

  /**
   * The {@code Accept} header sent with every request (HEAD too, since a peer's ETag names the
   * codec): the configured peer codec first ({@link HttpStoreConfig#peerCodec()}). A peer of this
   * project builds the archive on the fly when it has none cached; zstd (level 1, on every core)
   * compresses several times as fast as gzip and decompresses about twice as fast, so it is the
   * default. Pinot servers, controllers and plain HTTP stores ignore the header and send their
   * archive as it is; the codec is always detected from the bytes.
   */
  static String accept(Codec peerCodec) {
    return peerCodec.mediaType() + ", application/octet-stream;q=0.9, */*;q=0.8";
  }

  /**
   * Bytes per emitted buffer: the body arrives as many small network buffers (8 KiB from Netty's
   * HTTP decoder by default, at most one socket read each), which are gathered into chunks as large
   * as the file store's, so the pipeline's per-chunk work runs as often from HTTP as from a file.
   */
  static final int CHUNK_SIZE = LocalFileSegmentStore.DEFAULT_CHUNK_SIZE;

  private final HttpClient client;
  private final ConnectionProvider ownedProvider;

  /** A store with its own connection pool, released by {@link #close()}. */
  public static HttpSegmentStore create(HttpStoreConfig config) {
    return create(config, true);
  }

  /**
   * As {@link #create(HttpStoreConfig)}, for a caller that knows whether it will read {@code https}
   * URLs: without them, the background warm-up leaves TLS out ({@link ClientWarmUp}).
   */
  public static HttpSegmentStore create(HttpStoreConfig config, boolean https) {
    ConnectionProvider provider =
        ConnectionProvider.builder("segment-http")
            .maxConnections(config.maxConnections())
            .pendingAcquireMaxCount(-1)
            .build();
    HttpClient client =
        NettyBuffers.withChunkSizedReads(config.security().configure(HttpClient.create(provider)))
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
            .responseTimeout(config.responseTimeout())
            .followRedirect(config.followRedirects());
    warmUpInBackground(client, https);
    return new HttpSegmentStore(client, config.peerCodec(), provider);
  }

  /**
   * In a fresh JVM the first request used to spend about a second before its first byte, most of it
   * loading and initialising what every later request reuses: the event loops and native transport,
   * the DNS resolver, the buffer allocator (whose JFR event classes pull in JFR's metadata). Once
   * per JVM, a daemon thread starts that now, so it overlaps whatever the caller does before its
   * first request instead of delaying it. Failures are ignored: the first request then initialises
   * what is missing, as before.
   */
  private static void warmUpInBackground(HttpClient client, boolean https) {
    if (!WARMED_UP.compareAndSet(false, true)) {
      return;
    }
    Thread thread =
        new Thread(
            () -> {
              try {
                ClientWarmUp.run(client, https);
                ByteBufAllocator.DEFAULT.directBuffer(NettyBuffers.MAX_NETWORK_BUFFER).release();
              } catch (RuntimeException e) {
                // Nothing lost: the first request initialises it instead.
              }
            },
            "segment-http-warmup");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * The HTTP store and the local file store under one {@link SegmentStores}, for the command line.
   */
  public static SegmentStores withFileStore(HttpSegmentStore http, SegmentStore files) {
    return new SegmentStores(List.of(files, http));
  }

  /**
   * A store over a caller-configured client (TLS, proxies, metrics); the caller owns its resources.
   */
  public HttpSegmentStore(HttpClient client) {
    this(client, HttpStoreConfig.DEFAULT_PEER_CODEC, null);
  }

  private HttpSegmentStore(HttpClient client, Codec peerCodec, ConnectionProvider ownedProvider) {
    String accept = accept(peerCodec);
    // Archives are read byte for byte: never let the client inflate a gzip body on the way.
    this.client =
        client.compress(false).headers(headers -> headers.set(HttpHeaderNames.ACCEPT, accept));
    this.ownedProvider = ownedProvider;
  }

  @Override
  public Set<String> schemes() {
    return Set.of("http", "https");
  }

  /**
   * The archive's bytes from {@code offset}. Each emitted buffer is a heap chunk of {@link
   * #CHUNK_SIZE} bytes (the last one shorter) the subscriber owns, copied from the network buffers,
   * which are released once copied, or when the read is cancelled or fails. Demand drives socket
   * reads (backpressure reaches TCP). Completes after the last byte; errors with a {@code
   * SourceException}; cancelling closes the connection.
   */
  @Override
  public Flux<ByteBuffer> read(URI uri, long offset) {
    return get(uri, offset, null, null);
  }

  /**
   * The whole object in one GET, its size and version read from that response's headers as {@link
   * #stat} reads them from a HEAD's: a download's first attempt needs no HEAD first, which is one
   * round trip less before the first byte (Pinot's fetcher sends one GET too) and, in a fresh JVM,
   * one request less through code the compiler has not reached yet.
   */
  @Override
  public Flux<ByteBuffer> readDescribed(URI uri, Consumer<ObjectInfo> described) {
    return get(uri, 0, null, described);
  }

  /**
   * As {@link #read(URI, long)}, sent with {@code If-Match: "<version>"}; 412 means the object
   * changed.
   */
  @Override
  public Flux<ByteBuffer> read(URI uri, long offset, String version) {
    return get(uri, offset, version, null);
  }

  private Flux<ByteBuffer> get(
      URI uri, long offset, @Nullable String version, @Nullable Consumer<ObjectInfo> described) {
    if (offset < 0) {
      return Flux.error(
          new InvalidRequestException(null, "negative read offset " + offset + " for " + uri));
    }
    boolean pinned = version != null && !version.startsWith(UNVERSIONED);
    return client
        .headers(
            headers -> {
              if (offset > 0) {
                headers.set(HttpHeaderNames.RANGE, "bytes=" + offset + "-");
              }
              if (pinned) {
                headers.set(HttpHeaderNames.IF_MATCH, "\"" + version + "\"");
              }
            })
        .get()
        .uri(uri) // not the String overload: reactor-netty#4357 misreads one-digit ports
        .response(
            (response, body) -> {
              HttpHeaders headers = response.responseHeaders();
              int status = response.status().code();
              if (status == 416 && offset > 0 && totalFromContentRange(headers) == offset) {
                // bytes=N- with N equal to the size: nothing is left to read.
                return Flux.<ByteBuffer>empty();
              }
              SourceException failure = HttpErrors.forStatus(uri, status, headers);
              if (failure != null) {
                return Flux.<ByteBuffer>error(failure);
              }
              if (pinned) {
                String etag = HttpErrors.stripETag(headers.get(HttpHeaderNames.ETAG));
                if (etag != null && !etag.equals(version)) {
                  return Flux.<ByteBuffer>error(
                      new SourceChangedException(uri, "ETag " + etag + ", expected " + version));
                }
              }
              if (described != null) {
                described.accept(describe(uri, headers));
              }
              Flux<ByteBuffer> copies =
                  ChunkCoalescer.coalesce(
                      body, CHUNK_SIZE, NettyBuffers.NETWORK_PREFETCH, NettyBuffers.COALESCING);
              if (status == 206) {
                long start = startFromContentRange(headers);
                if (start != offset) {
                  return Flux.<ByteBuffer>error(
                      new SourceChangedException(
                          uri, "asked for bytes from " + offset + ", got a range from " + start));
                }
                return copies;
              }
              // A 200 to a ranged request: the source ignores Range, so drop the bytes before the
              // offset.
              return offset == 0 ? copies : skip(uri, copies, offset);
            })
        .onErrorMap(error -> HttpErrors.forFailure(uri, error));
  }

  private static Flux<ByteBuffer> skip(URI uri, Flux<ByteBuffer> bytes, long count) {
    return Flux.defer(
        () -> {
          long[] left = {count};
          return bytes
              .<ByteBuffer>handle(
                  (chunk, sink) -> {
                    if (left[0] >= chunk.remaining()) {
                      left[0] -= chunk.remaining();
                      return;
                    }
                    chunk.position(chunk.position() + (int) left[0]);
                    left[0] = 0;
                    sink.next(chunk);
                  })
              .concatWith(
                  Mono.defer(
                      () ->
                          left[0] > 0
                              ? Mono.error(
                                  new SourceChangedException(
                                      uri, "the object ends before byte " + count))
                              : Mono.empty()));
        });
  }

  /**
   * The object's size ({@code Content-Length} of a HEAD, -1 when the source does not say, as a peer
   * building its archive on the fly) and version (the {@code ETag}).
   */
  @Override
  public Mono<ObjectInfo> stat(URI uri) {
    return client
        .head()
        .uri(uri) // not the String overload: reactor-netty#4357 misreads one-digit ports
        .response((response, body) -> body.then(Mono.defer(() -> info(uri, response))))
        .single()
        .onErrorMap(error -> HttpErrors.forFailure(uri, error));
  }

  private static Mono<ObjectInfo> info(URI uri, HttpClientResponse response) {
    HttpHeaders headers = response.responseHeaders();
    SourceException failure = HttpErrors.forStatus(uri, response.status().code(), headers);
    return failure != null ? Mono.error(failure) : Mono.just(describe(uri, headers));
  }

  /**
   * Size and version from the headers of a whole-object answer (a HEAD's, or a GET's without
   * Range): {@code Content-Length} unless the body is chunked, and the {@code ETag}, or a version
   * made up for this answer alone when there is none, which no other answer ever matches.
   */
  private static ObjectInfo describe(URI uri, HttpHeaders headers) {
    String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
    long size = -1;
    if (length != null && !headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      try {
        size = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        size = -1;
      }
    }
    String etag = HttpErrors.stripETag(headers.get(HttpHeaderNames.ETAG));
    String version =
        etag == null || etag.isEmpty()
            ? UNVERSIONED + UNVERSIONED_SEQUENCE.incrementAndGet()
            : etag;
    return new ObjectInfo(uri, size, version);
  }

  /** Always fails: HTTP sources are read-only (see the class comment). */
  @Override
  public Mono<Void> write(URI uri, Flux<ByteBuffer> content) {
    return Mono.error(
        new InvalidRequestException(null, "HTTP sources are read-only: cannot write " + uri));
  }

  /** Always fails: HTTP sources are read-only (see the class comment). */
  @Override
  public Mono<Void> delete(URI uri) {
    return Mono.error(
        new InvalidRequestException(null, "HTTP sources are read-only: cannot delete " + uri));
  }

  /** Releases the connection pool this store created; a no-op for a caller-supplied client. */
  @Override
  public void close() {
    if (ownedProvider != null) {
      ownedProvider.dispose();
    }
  }

  /** {@code bytes N-M/T} -> N; -1 when absent or malformed. */
  static long startFromContentRange(HttpHeaders headers) {
    String value = headers.get(HttpHeaderNames.CONTENT_RANGE);
    if (value == null || !value.startsWith("bytes ")) {
      return -1;
    }
    int dash = value.indexOf('-');
    try {
      return dash < 0 ? -1 : Long.parseLong(value.substring(6, dash).trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** {@code bytes * /T} or {@code bytes N-M/T} -> T; -1 when absent, unknown or malformed. */
  static long totalFromContentRange(HttpHeaders headers) {
    String value = headers.get(HttpHeaderNames.CONTENT_RANGE);
    int slash = value == null ? -1 : value.lastIndexOf('/');
    try {
      return slash < 0 ? -1 : Long.parseLong(value.substring(slash + 1).trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
