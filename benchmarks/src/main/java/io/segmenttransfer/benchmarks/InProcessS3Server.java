package io.segmenttransfer.benchmarks;

import io.segmenttransfer.s3.S3Config;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * An S3 API server in this JVM (S3Proxy 4) on a free loopback port, keeping objects as files under
 * a directory. Files rather than S3Proxy's in-memory store so the objects live in the page cache,
 * not in this JVM's heap, where they would inflate the memory figures of the bootstrap they are
 * measured against.
 */
public final class InProcessS3Server implements AutoCloseable {

  public static final String ACCESS_KEY = "segment-transfer-bench";
  public static final String SECRET_KEY = "segment-transfer-bench-secret";
  public static final String BUCKET = "segments";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final S3Proxy proxy;
  private final WriteClock writes;
  private final Path root;
  private final URI endpoint;

  private InProcessS3Server(S3Proxy proxy, WriteClock writes, Path root, URI endpoint) {
    this.proxy = proxy;
    this.writes = writes;
    this.root = root;
    this.endpoint = endpoint;
  }

  /**
   * Starts a server keeping its objects under {@code root} (created, and deleted on close); its
   * buckets are the directories there. Blocking.
   */
  public static InProcessS3Server start(Path root) throws IOException {
    Files.createDirectories(root);
    WriteClock writes = new WriteClock(new FilesystemNio2BlobStore(root.toString()));
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(writes)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            // The SDK's multipart support sends x-amz-mp-object-size, which S3Proxy does not know.
            .ignoreUnknownHeaders(true)
            .build();
    try {
      proxy.start();
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      while (!"STARTED".equals(proxy.getState())) {
        if (System.nanoTime() > deadline) {
          throw new IOException("S3Proxy did not start: " + proxy.getState());
        }
        Thread.sleep(10);
      }
    } catch (Exception e) {
      stopQuietly(proxy);
      throw e instanceof IOException io ? io : new IOException("cannot start S3Proxy", e);
    }
    return new InProcessS3Server(
        proxy, writes, root, URI.create("http://127.0.0.1:" + proxy.getPort()));
  }

  public URI endpoint() {
    return endpoint;
  }

  /**
   * When the object {@code s3://bucket/key} was last completed by a write through this server
   * ({@link System#nanoTime()}), or -1 if it never was. Asks no request of the server.
   */
  public long completedAt(URI object) {
    return writes.completedAt(object.getHost(), object.getPath().substring(1));
  }

  /** Client settings for this server, or for a proxy in front of it at {@code endpoint}. */
  public static S3Config clientConfig(URI endpoint) {
    return S3Config.defaults()
        .withEndpoint(endpoint)
        .withPathStyle(true)
        .withCredentials(new S3Config.Credentials(ACCESS_KEY, SECRET_KEY));
  }

  /**
   * A plain SDK client (Netty async, up to {@code maxConcurrency} connections) for a server at
   * {@code endpoint}, configured as the project's store configures its own: path-style, checksums
   * only where the API requires them. The baselines' client, and the benchmarks' way to look at the
   * bucket.
   */
  public static S3AsyncClient sdkClient(URI endpoint, int maxConcurrency) {
    return S3AsyncClient.builder()
        .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(maxConcurrency))
        .endpointOverride(endpoint)
        .region(Region.of(S3Config.DEFAULT_REGION))
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .build();
  }

  /** {@code s3://bucket/key}. */
  public static URI objectUri(String key) {
    return URI.create("s3://" + BUCKET + "/" + key);
  }

  @Override
  public void close() {
    stopQuietly(proxy);
    Directories.deleteRecursively(root);
  }

  private static void stopQuietly(S3Proxy proxy) {
    try {
      proxy.stop();
    } catch (Exception ignored) {
      // Stopping a benchmark fixture: nothing to report to.
    }
  }
}
