package io.segmenttransfer.benchmarks;

import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.transfer.PeerFinder;
import io.segmenttransfer.s3.S3Config;
import io.segmenttransfer.s3.S3SegmentStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Segments in S3: an in-process S3 API server, read either directly or through a {@link
 * ThrottlingTcpProxy} that gives each connection a limited bandwidth and a latency.
 *
 * <ul>
 *   <li>This project: {@link S3SegmentStore} with parallel ranged GETs ({@code readPartSize},
 *       {@code readConcurrency}), streamed into the extractor.
 *   <li>Baseline, as Pinot's {@code S3PinotFS.copyToLocalFile}: one {@code GetObject} of the whole
 *       object written to a local file (the SDK's file transformer), then untarred.
 * </ul>
 *
 * Archives are uploaded straight to the server, never through the proxy.
 */
public final class S3BootstrapSource implements BootstrapSource {

  /**
   * How this project reads S3.
   *
   * @param partSize bytes per ranged GET
   * @param concurrency ranged GETs in flight per segment
   */
  public record ReadParts(int partSize, int concurrency) {
    public static final int DEFAULT_PART_SIZE = 4 * 1024 * 1024;

    public ReadParts {
      if (partSize < 1 || concurrency < 1) {
        throw new IllegalArgumentException("part size and concurrency must be positive");
      }
    }

    public static ReadParts defaults() {
      return new ReadParts(DEFAULT_PART_SIZE, S3Config.DEFAULT_READ_CONCURRENCY);
    }
  }

  private final String name;
  private final String description;
  private final InProcessS3Server server;
  private final ThrottlingTcpProxy proxy;
  private final S3AsyncClient uploads;
  private final S3AsyncClient baseline;
  private final S3SegmentStore store;

  private S3BootstrapSource(
      String name,
      String description,
      InProcessS3Server server,
      ThrottlingTcpProxy proxy,
      ReadParts parts) {
    this.name = name;
    this.description = description;
    this.server = server;
    this.proxy = proxy;
    URI readEndpoint = proxy == null ? server.endpoint() : proxy.httpEndpoint();
    this.uploads = InProcessS3Server.sdkClient(server.endpoint(), 64);
    this.baseline = InProcessS3Server.sdkClient(readEndpoint, 64);
    this.store =
        S3SegmentStore.create(
            InProcessS3Server.clientConfig(readEndpoint)
                .withReadParts(parts.partSize(), parts.concurrency()));
  }

  private S3BootstrapSource withBucket() {
    try {
      uploads
          .createBucket(CreateBucketRequest.builder().bucket(InProcessS3Server.BUCKET).build())
          .join();
      return this;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** S3 on loopback at full speed. Blocking: starts the server. */
  public static S3BootstrapSource direct(Path root, ReadParts parts) throws IOException {
    InProcessS3Server server = InProcessS3Server.start(root);
    return new S3BootstrapSource(
            "s3",
            String.format(
                "S3 API server in-process, direct (ours: %d x %d KiB ranged GETs; "
                    + "baseline: one GetObject to a file)",
                parts.concurrency(), parts.partSize() / 1024),
            server,
            null,
            parts)
        .withBucket();
  }

  /**
   * S3 behind a per-connection bandwidth and latency limit. Blocking: starts the server and the
   * proxy.
   */
  public static S3BootstrapSource throttled(
      Path root, ReadParts parts, ThrottlingTcpProxy.Throttle throttle) throws IOException {
    InProcessS3Server server = InProcessS3Server.start(root);
    ThrottlingTcpProxy proxy;
    try {
      proxy =
          new ThrottlingTcpProxy(
              new InetSocketAddress("127.0.0.1", server.endpoint().getPort()), throttle);
    } catch (IOException e) {
      server.close();
      throw e;
    }
    return new S3BootstrapSource(
            "s3-throttled",
            String.format(
                "S3 behind a proxy, %s (ours: %d x %d KiB ranged GETs; "
                    + "baseline: one GetObject to a file)",
                throttle, parts.concurrency(), parts.partSize() / 1024),
            server,
            proxy,
            parts)
        .withBucket();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String description() {
    return description;
  }

  /** The proxy in front of the server, or null when reads go direct. */
  public @Nullable ThrottlingTcpProxy proxy() {
    return proxy;
  }

  @Override
  public String publish(CachedArchive archive) {
    String key = archive.spec().table() + "/" + archive.file().getFileName();
    uploads
        .putObject(
            PutObjectRequest.builder().bucket(InProcessS3Server.BUCKET).key(key).build(),
            AsyncRequestBody.fromFile(archive.file()))
        .join();
    return InProcessS3Server.objectUri(key).toString();
  }

  @Override
  public List<SegmentStore> stores() {
    return List.of(store);
  }

  @Override
  public PeerFinder peers() {
    return PeerFinder.NONE;
  }

  @Override
  public void fetchToFile(SegmentMetadata segment, Path target) throws IOException {
    URI uri = URI.create(segment.downloadUrl().orElseThrow());
    try {
      baseline
          .getObject(
              GetObjectRequest.builder()
                  .bucket(uri.getHost())
                  .key(uri.getPath().substring(1))
                  .build(),
              AsyncResponseTransformer.toFile(target))
          .join();
    } catch (CompletionException e) {
      throw new IOException("GetObject " + uri + " failed", e.getCause());
    }
  }

  @Override
  public void close() {
    // The store is closed by the runtime that reads through it.
    baseline.close();
    uploads.close();
    if (proxy != null) {
      proxy.close();
    }
    server.close();
  }
}
