package io.segmenttransfer.server;

import io.segmenttransfer.s3.S3Config;
import java.net.URI;
import java.time.Duration;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;

/**
 * An S3 API server (S3Proxy, in memory) on a free loopback port, with one bucket, for tests. Its
 * writes pass a {@link WriteGate} that a test can close to make the deep store hang for writers
 * (reads are unaffected).
 */
public final class InProcessS3 implements AutoCloseable {

  public static final String ACCESS_KEY = "test-access";
  public static final String SECRET_KEY = "test-secret";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final S3Proxy proxy;
  private final WriteGate gate;
  private final URI endpoint;

  private InProcessS3(S3Proxy proxy, WriteGate gate) {
    this.proxy = proxy;
    this.gate = gate;
    this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  /** Starts the server and creates {@code bucket}; blocks until it serves. */
  public static InProcessS3 start(String bucket) throws Exception {
    TransientNio2BlobStore blobs = new TransientNio2BlobStore();
    WriteGate gate = new WriteGate(blobs);
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(gate)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            // The SDK's multipart uploads send x-amz-mp-object-size, which S3Proxy does not know.
            .ignoreUnknownHeaders(true)
            .build();
    proxy.start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    // S3Proxy has no start future: its state is the only signal there is.
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        proxy.stop();
        throw new IllegalStateException("S3Proxy did not start within " + START_TIMEOUT);
      }
      Thread.sleep(10);
    }
    blobs.createContainer(CreateBucketRequest.builder().bucket(bucket).build());
    return new InProcessS3(proxy, gate);
  }

  /** The gate every write passes (open unless a test closes it). */
  public WriteGate writes() {
    return gate;
  }

  public URI endpoint() {
    return endpoint;
  }

  /** The client settings that reach it: endpoint, path-style buckets, its keys. */
  public S3Config config() {
    return S3Config.defaults()
        .withEndpoint(endpoint)
        .withPathStyle(true)
        .withCredentials(new S3Config.Credentials(ACCESS_KEY, SECRET_KEY));
  }

  @Override
  public void close() throws Exception {
    gate.release(); // a held request would keep S3Proxy's stop waiting
    proxy.stop();
  }
}
