package io.segmenttransfer.pinotfetcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** Pinot's rate-limit values, and the pacing of a limited stream in virtual time. */
class ByteRateLimitTest {

  @Test
  void pinotsNoLimitValuesMeanNone() {
    assertThat(ByteRateLimit.of(-1)).isNull(); // TarCompressionUtils.NO_DISK_WRITE_RATE_LIMIT
    assertThat(ByteRateLimit.of(0)).isNull(); // SYNC_DISK_WRITE_WITH_UPSTREAM_RATE
    assertThat(ByteRateLimit.of(1)).isNotNull();
  }

  @Test
  void chunksPassNoFasterThanTheRate() {
    StepVerifier.withVirtualTime(
            () ->
                ByteRateLimit.of(1000).apply(Flux.range(0, 3).map(i -> ByteBuffer.allocate(1000))))
        .expectSubscription()
        .expectNextCount(1) // the first second's bytes pass at once
        .expectNoEvent(Duration.ofMillis(900))
        .thenAwait(Duration.ofMillis(200))
        .expectNextCount(1)
        .expectNoEvent(Duration.ofMillis(800))
        .thenAwait(Duration.ofMillis(300))
        .expectNextCount(1)
        .expectComplete()
        .verify(Duration.ofSeconds(10));
  }
}
