package io.segmenttransfer.server.quickstart;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.s3.S3Config;
import io.segmenttransfer.s3.S3SegmentStore;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;

/**
 * The quickstart's deep store: a directory under the work dir, or a bucket on an S3-compatible
 * server (S3Proxy, in memory) started in this JVM on a free port. Either way the controller writes
 * uploaded archives to {@code <uri>/<tableNameWithType>/<segment>.tar.gz}, and the quickstart
 * deletes one of them here, behind the controller's back, to show the peer fallback, and takes the
 * whole store {@link #down()} and back {@link #up()} to show a commit without it.
 */
public final class QuickstartDeepStore implements AutoCloseable {

  private static final String BUCKET = "quickstart";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final URI uri;
  private final SegmentStore store;
  private final List<SegmentStore> controllerStores;

  /**
   * The S3 server while it runs: null for a directory, and while an S3 store is {@link #down()}.
   */
  private S3Proxy proxy;

  private final S3Config s3Config;
  private final String description;

  /** The directory of a local store; null for S3. */
  private final Path dir;

  /** What a new S3 server needs to serve the same bucket on the same port; null for a directory. */
  private final S3Server s3Server;

  private boolean down;

  /**
   * The in-memory blobs, keys and port of the S3 server, so that {@link #up()} can start it again.
   */
  private record S3Server(
      TransientNio2BlobStore blobs, String accessKey, String secretKey, int port) {}

  private QuickstartDeepStore(
      URI uri,
      SegmentStore store,
      List<SegmentStore> controllerStores,
      S3Proxy proxy,
      S3Config s3Config,
      String description,
      Path dir,
      S3Server s3Server) {
    this.uri = uri;
    this.store = store;
    this.controllerStores = controllerStores;
    this.proxy = proxy;
    this.s3Config = s3Config;
    this.description = description;
    this.dir = dir;
    this.s3Server = s3Server;
  }

  /** Archives as files under {@code dir}. */
  public static QuickstartDeepStore local(Path dir, Scheduler scheduler) {
    Path root = dir.toAbsolutePath().normalize();
    URI uri = root.toUri();
    return new QuickstartDeepStore(
        uri,
        new LocalFileSegmentStore(scheduler),
        List.of(),
        null,
        null,
        "local directory " + uri,
        root,
        null);
  }

  /**
   * Starts S3Proxy on a free loopback port with throw-away credentials and one bucket; blocks until
   * it serves (about a second). Call it from the command's thread, not an event loop.
   */
  public static QuickstartDeepStore s3() throws Exception {
    String accessKey = "quickstart-" + UUID.randomUUID().toString().substring(0, 8);
    String secretKey = UUID.randomUUID().toString();
    TransientNio2BlobStore blobs = new TransientNio2BlobStore();
    S3Proxy proxy = startProxy(blobs, accessKey, secretKey, 0);
    blobs.createContainer(CreateBucketRequest.builder().bucket(BUCKET).build());
    URI endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    S3Config config =
        S3Config.defaults()
            .withEndpoint(endpoint)
            .withPathStyle(true)
            .withCredentials(new S3Config.Credentials(accessKey, secretKey));
    S3SegmentStore store = S3SegmentStore.create(config);
    return new QuickstartDeepStore(
        URI.create("s3://" + BUCKET + "/deepstore"),
        store,
        List.of(store),
        proxy,
        config,
        "bucket s3://" + BUCKET + " on the in-process S3 server at " + endpoint,
        null,
        new S3Server(blobs, accessKey, secretKey, proxy.getPort()));
  }

  /** Starts S3Proxy on {@code port} (0: a free one) over {@code blobs}; blocks until it serves. */
  private static S3Proxy startProxy(
      TransientNio2BlobStore blobs, String accessKey, String secretKey, int port) throws Exception {
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(blobs)
            .endpoint(URI.create("http://127.0.0.1:" + port))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
            // The SDK's multipart uploads send x-amz-mp-object-size, which S3Proxy does not know.
            .ignoreUnknownHeaders(true)
            .build();
    proxy.start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        proxy.stop();
        throw new IllegalStateException(
            "the in-process S3 server did not start within " + START_TIMEOUT);
      }
      Thread.sleep(10);
    }
    return proxy;
  }

  /** The deep store URI the controller is configured with. */
  public URI uri() {
    return uri;
  }

  /** Stores the controller needs besides local files (the S3 store); it does not close them. */
  public List<SegmentStore> controllerStores() {
    return controllerStores;
  }

  /**
   * How servers and bootstraps reach the S3 server: segments' download URLs are its {@code s3://}
   * URIs, read directly, not through the controller. Null for a directory.
   */
  public S3Config s3Config() {
    return s3Config;
  }

  public String description() {
    return description;
  }

  /** Where the controller put a segment's archive. */
  public URI archiveOf(SegmentId segment) {
    String base = uri.toString().endsWith("/") ? uri.toString() : uri + "/";
    return URI.create(
        base + segment.table() + "/" + segment.segmentName() + "." + Codec.GZIP.extension());
  }

  /** Whether the store holds a segment's archive where the controller and servers put it. */
  public Mono<Boolean> exists(SegmentId segment) {
    return store.exists(archiveOf(segment));
  }

  /**
   * Deletes a segment's archive straight from the store, so the controller's metadata still points
   * at it. Errors with {@link SourceNotFoundException} when there was no archive to delete, so a
   * quickstart that did not remove anything cannot claim it did.
   */
  public Mono<URI> deleteArchive(SegmentId segment) {
    URI archive = archiveOf(segment);
    return store
        .exists(archive)
        .flatMap(
            exists ->
                exists
                    ? store.delete(archive).thenReturn(archive)
                    : Mono.error(
                        new SourceNotFoundException(
                            archive, "no archive of " + segment + " in the deep store")));
  }

  /**
   * Takes the deep store down, so that every write to it fails until {@link #up()}: a directory is
   * moved aside and a plain file put in its place (permissions would not stop root), the S3 server
   * is stopped (its port refuses connections; the bucket stays in memory). Returns what was done,
   * for the quickstart to say. Blocking: call it from the command's thread.
   */
  public synchronized String down() throws Exception {
    if (down) {
      throw new IllegalStateException("the deep store is down already");
    }
    String what;
    if (dir != null) {
      Files.move(dir, aside());
      Files.writeString(
          dir, "the quickstart's deep store is down: the directory is at " + aside() + "\n");
      what = "moved " + dir.getFileName() + "/ aside and put a plain file in its place";
    } else {
      proxy.stop();
      proxy = null;
      what = "stopped the S3 server (port " + s3Server.port() + " refuses connections)";
    }
    down = true;
    return what;
  }

  /**
   * Brings the deep store back as it was before {@link #down()}: the same directory, or bucket and
   * port.
   */
  public synchronized String up() throws Exception {
    if (!down) {
      throw new IllegalStateException("the deep store is not down");
    }
    String what;
    if (dir != null) {
      Files.delete(dir);
      Files.move(aside(), dir);
      what = "put " + dir.getFileName() + "/ back";
    } else {
      proxy =
          startProxy(s3Server.blobs(), s3Server.accessKey(), s3Server.secretKey(), s3Server.port());
      what = "started the S3 server again on port " + s3Server.port();
    }
    down = false;
    return what;
  }

  private Path aside() {
    return dir.resolveSibling(dir.getFileName() + ".down");
  }

  /** Stops the S3 server and its client; a directory left down is put back. */
  @Override
  public void close() {
    try {
      if (store instanceof AutoCloseable closeable) {
        closeable.close();
      }
      synchronized (this) {
        if (proxy != null) {
          proxy.stop();
        }
        if (down && dir != null) {
          up();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot stop the deep store (" + description + "): " + e.getMessage(), e);
    }
  }
}
