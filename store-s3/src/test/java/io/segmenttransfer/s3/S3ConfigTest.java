package io.segmenttransfer.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.transfer.RetryPolicy;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class S3ConfigTest {

  @Test
  void defaultsFollowTheAwsGuidance() {
    S3Config config = S3Config.defaults();
    assertThat(config.region()).isEqualTo("us-east-1");
    assertThat(config.readPartSize()).isBetween(8 << 20, 16 << 20);
    assertThat(config.readConcurrency()).isBetween(4, 8);
    assertThat(config.endpoint()).isNull();
    assertThat(config.credentials()).isNull();
  }

  @Test
  void retriesWithTheCoreBackoffUsingS3sOwnDefaults() {
    assertThat(S3Config.defaults().retryPolicy()).isEqualTo(RetryPolicy.DEFAULT_S3);
    RetryPolicy custom =
        S3Config.defaults()
            .withRetry(7, Duration.ofMillis(20), Duration.ofMillis(200))
            .retryPolicy();
    assertThat(custom)
        .isEqualTo(
            new RetryPolicy(
                7,
                Duration.ofMillis(20),
                RetryPolicy.DEFAULT_S3.factor(),
                Duration.ofMillis(200),
                RetryPolicy.DEFAULT_S3.jitter()));
  }

  @Test
  void rejectsNonsense() {
    S3Config d = S3Config.defaults();
    assertThatThrownBy(() -> d.withEndpoint(URI.create("ftp://host")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withRegion(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withReadParts(0, 4)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withUploadParts(1 << 20, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withRetry(0, Duration.ofMillis(1), Duration.ofMillis(2)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withRetry(3, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withTimeouts(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withReadParts(1 << 20, 64))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new S3Config.Credentials("id", ""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void neverPrintsTheSecret() {
    assertThat(new S3Config.Credentials("AKIA", "very-secret").toString())
        .doesNotContain("very-secret");
    assertThat(
            S3Config.defaults()
                .withCredentials(new S3Config.Credentials("AKIA", "very-secret"))
                .toString())
        .doesNotContain("very-secret");
  }

  @Test
  void parsesBucketAndKey() {
    S3Location location = S3Location.of(URI.create("s3://my-bucket/tables/events/seg%201.tar.gz"));
    assertThat(location.bucket()).isEqualTo("my-bucket");
    assertThat(location.key()).isEqualTo("tables/events/seg 1.tar.gz");
    assertThatThrownBy(() -> S3Location.of(URI.create("s3://bucket-only")))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> S3Location.of(URI.create("file:///tmp/x")))
        .isInstanceOf(InvalidRequestException.class);
  }
}
