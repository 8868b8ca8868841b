package io.segmenttransfer.pinotfetcher;

import io.segmenttransfer.s3.S3Config;
import io.segmenttransfer.s3.S3SegmentStore;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import reactor.core.publisher.Flux;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;

/** S3Proxy in memory on a loopback port, with one bucket, for the fetcher's S3 tests. */
final class InProcessS3 implements AutoCloseable {

  static final String ACCESS_KEY = "fetcher-access";
  static final String SECRET_KEY = "fetcher-secret";
  static final String BUCKET = "segments";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final S3Proxy proxy;

  private InProcessS3(S3Proxy proxy) {
    this.proxy = proxy;
  }

  static InProcessS3 start() throws Exception {
    TransientNio2BlobStore blobs = new TransientNio2BlobStore();
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(blobs)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .ignoreUnknownHeaders(true)
            .build();
    proxy.start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    // S3Proxy offers no start signal but its state.
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        proxy.stop();
        throw new IllegalStateException("S3Proxy did not start within " + START_TIMEOUT);
      }
      Thread.sleep(10);
    }
    blobs.createContainer(CreateBucketRequest.builder().bucket(BUCKET).build());
    return new InProcessS3(proxy);
  }

  int port() {
    return proxy.getPort();
  }

  /** Uploads {@code file} under {@code key} and returns its s3:// URI. */
  URI put(String key, Path file) throws Exception {
    URI uri = URI.create("s3://" + BUCKET + "/" + key);
    S3Config config =
        S3Config.defaults()
            .withEndpoint(URI.create("http://127.0.0.1:" + port()))
            .withPathStyle(true)
            .withCredentials(new S3Config.Credentials(ACCESS_KEY, SECRET_KEY));
    try (S3SegmentStore store = S3SegmentStore.create(config)) {
      store.write(uri, Flux.just(ByteBuffer.wrap(Files.readAllBytes(file)))).block(START_TIMEOUT);
    }
    return uri;
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
  }
}
