package io.segmenttransfer.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.localstack.LocalStackContainer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;

/**
 * The store against LocalStack's S3, which (unlike S3Proxy) is AWS's own behaviour emulated:
 * multipart with 5 MiB parts, ranged and pinned reads. Runs where Docker is available and is
 * reported as skipped where it is not.
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackS3Test {

  @Container
  private static final LocalStackContainer LOCALSTACK =
      new LocalStackContainer("localstack/localstack:4.4").withServices("s3");

  @Test
  void writesAndReadsBackThroughRangedParts() throws Exception {
    S3Config config =
        S3Config.defaults()
            .withEndpoint(LOCALSTACK.getEndpoint())
            .withRegion(LOCALSTACK.getRegion())
            .withPathStyle(true)
            .withCredentials(
                new S3Config.Credentials(LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey()))
            .withReadParts(256 * 1024, 4)
            .withUploadParts(S3TestServer.MIN_UPLOAD_PART, 2);
    try (S3AsyncClient client = S3Clients.build(config);
        S3SegmentStore store = new S3SegmentStore(client, config)) {
      client
          .createBucket(CreateBucketRequest.builder().bucket("localstack-segments").build())
          .get();
      URI uri = URI.create("s3://localstack-segments/events/segment.tar.gz");
      byte[] bytes = S3TestServer.random(2 * S3TestServer.MIN_UPLOAD_PART + 4321, 9);

      store.write(uri, S3TestServer.chunks(bytes, 1 << 20)).block(Duration.ofSeconds(60));
      String version = store.stat(uri).block(Duration.ofSeconds(30)).version();

      assertThat(S3TestServer.collect(store.read(uri, 0))).isEqualTo(bytes);
      assertThat(S3TestServer.collect(store.read(uri, 1_000_000, version)))
          .isEqualTo(Arrays.copyOfRange(bytes, 1_000_000, bytes.length));
    }
  }
}
