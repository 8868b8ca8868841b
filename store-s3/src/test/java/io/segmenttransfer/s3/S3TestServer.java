package io.segmenttransfer.s3;

import static io.segmenttransfer.core.testing.Waits.await;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import reactor.core.publisher.Flux;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * An in-process S3 API server (S3Proxy, in-memory backend) on a free port, shared by the test
 * classes of one JVM (it takes about a second to start), with one bucket and a client on it.
 */
final class S3TestServer {

  static final String ACCESS_KEY = "segment-transfer-test";
  static final String SECRET_KEY = "segment-transfer-secret";
  static final String BUCKET = "segments";
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** The smallest part S3 (and S3Proxy) accepts for all but the last part of a multipart upload. */
  static final int MIN_UPLOAD_PART = 5 * 1024 * 1024;

  private static S3TestServer shared;

  private final S3Proxy proxy;
  private final URI endpoint;
  private final S3SegmentStore direct;
  private final S3AsyncClient client;

  private S3TestServer() throws Exception {
    proxy =
        S3Proxy.builder()
            .blobStore(new TransientNio2BlobStore())
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            // The SDK's multipart support sends x-amz-mp-object-size, which S3Proxy does not know.
            .ignoreUnknownHeaders(true)
            .build();
    proxy.start();
    await("S3Proxy started").atMost(TIMEOUT).until(() -> "STARTED".equals(proxy.getState()));
    endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    client = S3Clients.build(config(endpoint));
    client.createBucket(CreateBucketRequest.builder().bucket(BUCKET).build()).get();
    direct = new S3SegmentStore(client, config(endpoint));
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "s3proxy-stop"));
  }

  /** Multipart uploads started (and neither completed nor aborted) under {@code uri}'s key. */
  List<MultipartUpload> uploadsUnder(URI uri) {
    S3Location location = S3Location.of(uri);
    return client
        .listMultipartUploads(
            ListMultipartUploadsRequest.builder()
                .bucket(location.bucket())
                .prefix(location.key())
                .build())
        .join()
        .uploads();
  }

  static synchronized S3TestServer shared() {
    if (shared == null) {
      try {
        shared = new S3TestServer();
      } catch (Exception e) {
        throw new IllegalStateException("cannot start S3Proxy", e);
      }
    }
    return shared;
  }

  URI endpoint() {
    return endpoint;
  }

  /** A client config for this server (or a proxy in front of it) with the test credentials. */
  static S3Config config(URI endpoint) {
    return S3Config.defaults()
        .withEndpoint(endpoint)
        .withPathStyle(true)
        .withCredentials(new S3Config.Credentials(ACCESS_KEY, SECRET_KEY));
  }

  /** A store talking to the server directly, with default settings; for putting test objects. */
  S3SegmentStore direct() {
    return direct;
  }

  S3AsyncClient client() {
    return client;
  }

  static URI newUri(String name) {
    return URI.create("s3://" + BUCKET + "/" + UUID.randomUUID() + "/" + name);
  }

  void put(URI uri, byte[] bytes) {
    direct.write(uri, chunks(bytes, 256 * 1024)).block(TIMEOUT);
  }

  static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  static Flux<ByteBuffer> chunks(byte[] bytes, int size) {
    return Flux.range(0, (bytes.length + size - 1) / size)
        .map(
            i ->
                ByteBuffer.wrap(
                    Arrays.copyOfRange(bytes, i * size, Math.min(bytes.length, (i + 1) * size))));
  }

  static byte[] collect(Flux<ByteBuffer> flux) {
    return flux.reduce(
            new java.io.ByteArrayOutputStream(),
            (out, buffer) -> {
              byte[] chunk = new byte[buffer.remaining()];
              buffer.get(chunk);
              out.writeBytes(chunk);
              return out;
            })
        .map(java.io.ByteArrayOutputStream::toByteArray)
        .defaultIfEmpty(new byte[0])
        .block(TIMEOUT);
  }

  private void stop() {
    try {
      client.close();
      proxy.stop();
    } catch (Exception ignored) {
      // The JVM is exiting; nothing to report to.
    }
  }
}
