package io.segmenttransfer.pinotfetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.apache.pinot.spi.env.PinotConfiguration;
import org.junit.jupiter.api.Test;

/** Pinot's key names, relaxed as PinotConfiguration relaxes them, mapped onto the pipeline. */
class FetcherSettingsTest {

  @Test
  void readsPinotsNamesAndItsOwn() {
    // Through PinotConfiguration, as the factory hands them over (keys relaxed to lower case).
    Map<String, Object> keys =
        new PinotConfiguration(
                Map.of(
                    "class", SegmentTransferFetcher.class.getName(),
                    "endpoint", "http://127.0.0.1:9000",
                    "region", "eu-west-1",
                    "accessKey", "id",
                    "secretKey", "secret",
                    "pathStyleAccess", "true",
                    "parallelRanges", "6",
                    "rangeSizeBytes", "1048576",
                    "http.request.socketTimeoutMs", "1500",
                    "bufferSizeBytes", "65536"))
            .toMap();

    FetcherSettings settings = FetcherSettings.from(keys, 4, 200, 3);

    assertThat(settings.retry().attempts()).isEqualTo(4);
    assertThat(settings.retry().initialBackoff()).isEqualTo(Duration.ofMillis(200));
    assertThat(settings.retry().factor()).isEqualTo(3);
    assertThat(settings.s3().endpoint()).isEqualTo(URI.create("http://127.0.0.1:9000"));
    assertThat(settings.s3().region()).isEqualTo("eu-west-1");
    assertThat(settings.s3().credentials().accessKeyId()).isEqualTo("id");
    assertThat(settings.s3().pathStyle()).isTrue();
    assertThat(settings.s3().readConcurrency()).isEqualTo(6);
    assertThat(settings.s3().readPartSize()).isEqualTo(1_048_576);
    assertThat(settings.http().responseTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(settings.extraction().bufferSize()).isEqualTo(65_536);
    assertThat(settings.download().peerWaitTimeout()).isZero();
    assertThat(settings.unknownKeys()).isEmpty();
  }

  @Test
  void listsUnknownKeysAndKeepsPinotsOwn() {
    FetcherSettings settings =
        FetcherSettings.from(
            Map.of("class", "x", "auth.token", "t", "parallelRangez", "3", "bufer.size", "1"),
            3,
            100,
            5);

    assertThat(settings.unknownKeys()).containsExactly("bufer.size", "parallelrangez");
  }

  @Test
  void aBadValueFailsWithOneLineNamingTheKey() {
    assertThatThrownBy(() -> FetcherSettings.from(Map.of("parallelRanges", "many"), 3, 100, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("segment fetcher setting parallelRanges: 'many' is not a whole number");
    assertThatThrownBy(() -> FetcherSettings.from(Map.of("accessKey", "id"), 3, 100, 5))
        .hasMessageStartingWith("segment fetcher setting accessKey/secretKey: ");
  }

  @Test
  void pinotsZeroRetryCountStillTriesOnce() {
    assertThat(FetcherSettings.from(Map.of(), 0, 100, 5).retry().attempts()).isEqualTo(1);
  }
}
