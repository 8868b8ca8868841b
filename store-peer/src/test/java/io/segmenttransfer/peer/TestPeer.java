package io.segmenttransfer.peer;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.segmenttransfer.core.layout.SegmentSwap;
import io.segmenttransfer.core.local.DataDirectoryConfig;
import io.segmenttransfer.core.local.LocalSegment;
import io.segmenttransfer.core.local.LocalSegments;
import io.segmenttransfer.core.local.SegmentDataDirectory;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.core.transfer.PeerFinder;
import io.segmenttransfer.core.transfer.TransferListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A real peer server on loopback: a data directory (the core's {@link SegmentDataDirectory})
 * holding Pinot fixture segments extracted with commons-compress, served by {@link
 * PeerSegmentHandler} on a reactor-netty server on port 0. Records what it was asked; can die
 * mid-body.
 */
final class TestPeer implements AutoCloseable {

  static final String TABLE = PinotFixtures.TABLE;

  /** A request as the peer received it. */
  record Seen(String method, String path, String range, String ifMatch) {}

  final String instanceId;
  final Path dataDir;
  final SegmentDataDirectory segments;
  final PeerSegmentHandler handler;
  private final HeldUploads uploads;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final AtomicLong cutAfterBytes = new AtomicLong(-1);
  private final DisposableServer server;

  TestPeer(
      Path root,
      String name,
      Scheduler scheduler,
      UnaryOperator<PeerServeConfig> config,
      String... segmentNames) {
    this.dataDir = root.resolve(name);
    for (String segment : segmentNames) {
      extractFixture(segment, dataDir.resolve(TABLE));
    }
    this.segments =
        new SegmentDataDirectory(
            dataDir,
            null,
            DataDirectoryConfig.defaults(),
            scheduler,
            PeerFinder.NONE,
            null,
            TransferListener.NONE,
            SegmentSwap.StepObserver.NONE);
    this.uploads = new HeldUploads(segments);
    this.handler =
        new PeerSegmentHandler(
            uploads,
            config.apply(PeerServeConfig.defaults(root.resolve(name + "-cache"))),
            scheduler);
    this.server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .doOnConnection(
                connection -> {
                  long cut = cutAfterBytes.get();
                  if (cut >= 0) {
                    connection
                        .channel()
                        .pipeline()
                        .addFirst("die-after-bytes", new DieAfterBytes(cut, this));
                  }
                })
            .route(
                routes ->
                    routes
                        .head(
                            PeerSegmentHandler.PATH,
                            (request, response) -> {
                              record(
                                  request.method().name(), request.uri(), request.requestHeaders());
                              return handler.handle(request, response);
                            })
                        .get(
                            PeerSegmentHandler.PATH,
                            (request, response) -> {
                              record(
                                  request.method().name(), request.uri(), request.requestHeaders());
                              return handler.handle(request, response);
                            }))
            .bindNow(Duration.ofSeconds(10));
    this.instanceId = "Server_127.0.0.1_" + (20000 + Math.abs(name.hashCode() % 10000));
  }

  private void record(String method, String uri, io.netty.handler.codec.http.HttpHeaders headers) {
    seen.add(
        new Seen(
            method,
            uri,
            headers.get(HttpHeaderNames.RANGE),
            headers.get(HttpHeaderNames.IF_MATCH)));
  }

  int adminPort() {
    return server.port();
  }

  URI segmentUri(String segment) {
    return URI.create("http://127.0.0.1:" + adminPort() + "/segments/" + TABLE + "/" + segment);
  }

  List<Seen> seen() {
    return List.copyOf(seen);
  }

  List<Seen> gets() {
    return seen.stream().filter(s -> s.method().equals("GET")).toList();
  }

  /**
   * From now on every upload (a GET with a body) stops after its head and first chunk and waits,
   * still reading the segment under its lock, until {@link #releaseUploads()}.
   */
  void holdUploads() {
    uploads.hold();
  }

  /** Uploads waiting at the hold now. */
  int heldUploads() {
    return uploads.held.get();
  }

  /** Lets held uploads go on; later ones are not held. */
  void releaseUploads() {
    uploads.release();
  }

  /**
   * What happened to the uploads' streams, in order: "upload ended" when one completed, failed or
   * was cancelled.
   */
  List<String> uploadLog() {
    return List.copyOf(uploads.log);
  }

  /**
   * From now on every new connection is closed after {@code bytes} bytes of response, and the
   * server goes down.
   */
  void dieAfter(long bytes) {
    cutAfterBytes.set(bytes);
  }

  boolean isDisposed() {
    return server.isDisposed();
  }

  @Override
  public void close() {
    if (!server.isDisposed()) {
      server.disposeNow(Duration.ofSeconds(5));
    }
  }

  /**
   * Extracts a fixture's tar.gz into {@code tableDir/<segment>} with commons-compress and the JDK.
   */
  static void extractFixture(String segment, Path tableDir) {
    PinotFixtures.Archive archive =
        PinotFixtures.archives().stream()
            .filter(a -> a.segmentName().equals(segment) && a.format().equals("tar.gz"))
            .findFirst()
            .orElseThrow();
    try (InputStream in =
        new TarArchiveInputStream(new GZIPInputStream(Files.newInputStream(archive.file())))) {
      TarArchiveInputStream tar = (TarArchiveInputStream) in;
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path target = tableDir.resolve(entry.getName()).normalize();
        if (!target.startsWith(tableDir)) {
          throw new IOException("fixture entry escapes: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(tar, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The segments as the handler reads them, with a hold the test controls: an ordering signal
   * instead of a sleep. A held response has sent its head and first chunk and waits before the next
   * element of the stream the handler built under the segment's lock, so the lock stays held until
   * the test releases it. The end of each stream is logged before the lock is released.
   */
  private static final class HeldUploads implements LocalSegments {
    /** Elements let through before the hold: the response head and the first chunk. */
    private static final int HOLD_AT = 2;

    private final LocalSegments delegate;
    private final AtomicInteger held = new AtomicInteger();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private volatile Sinks.Empty<Void> gate;

    HeldUploads(LocalSegments delegate) {
      this.delegate = delegate;
    }

    void hold() {
      gate = Sinks.empty();
    }

    void release() {
      Sinks.Empty<Void> open = gate;
      gate = null;
      if (open != null) {
        open.tryEmitEmpty();
      }
    }

    @Override
    public <T> Flux<T> withSegment(SegmentId segment, Function<LocalSegment, Publisher<T>> reader) {
      return delegate.withSegment(
          segment,
          local -> {
            Flux<T> stream = Flux.from(reader.apply(local));
            Sinks.Empty<Void> hold = gate;
            if (hold != null) {
              stream =
                  stream
                      .index()
                      .concatMap(
                          element ->
                              element.getT1() != HOLD_AT
                                  ? Mono.just(element.getT2())
                                  : Mono.defer(
                                          () -> {
                                            held.incrementAndGet();
                                            return hold.asMono();
                                          })
                                      .doFinally(signal -> held.decrementAndGet())
                                      .thenReturn(element.getT2()));
            }
            // Before the signal goes downstream, so before the lock is released.
            return stream
                .doOnTerminate(() -> log.add("upload ended"))
                .doOnCancel(() -> log.add("upload ended"));
          });
    }
  }

  /**
   * Sits next to the socket: lets {@code limit} bytes of a connection's output through, then closes
   * the connection and brings the whole server down, like a peer process that died.
   */
  private static final class DieAfterBytes extends ChannelOutboundHandlerAdapter {
    private long left;
    private final TestPeer peer;

    DieAfterBytes(long limit, TestPeer peer) {
      this.left = limit;
      this.peer = peer;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (!(msg instanceof ByteBuf buf)) {
        ctx.write(msg, promise);
        return;
      }
      if (buf.readableBytes() <= left) {
        left -= buf.readableBytes();
        ctx.write(buf, promise);
        return;
      }
      ByteBuf allowed = buf.readRetainedSlice((int) left);
      buf.release();
      left = 0;
      promise.setFailure(new IOException("peer died"));
      ctx.writeAndFlush(allowed)
          .addListener(
              done -> {
                ctx.close();
                peer.server.dispose();
              });
    }
  }
}
