package io.segmenttransfer.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The network stand-in the untar benchmarks use: same bytes as the archive, never faster than its
 * link.
 */
class ArchiveStreamsTest {

  private static final int CHUNK = 64 * 1024;

  private static Scheduler timer;

  @BeforeAll
  static void start() {
    timer = Schedulers.newSingle("paced-test");
  }

  @AfterAll
  static void stop() {
    timer.dispose();
  }

  @Test
  void aPacedStreamDeliversTheArchiveBytesNoSoonerThanTheLinkCarriesThem() {
    byte[] bytes = new byte[2 * 1024 * 1024 + 123];
    new Random(7).nextBytes(bytes);
    ByteBuffer archive = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    double megabytesPerSecond = 50;

    long started = System.nanoTime();
    List<ByteBuffer> chunks =
        ArchiveStreams.paced(archive, CHUNK, megabytesPerSecond, timer)
            .collectList()
            .block(Duration.ofSeconds(30));
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(concat(chunks)).isEqualTo(bytes);
    assertThat(chunks).hasSize((bytes.length + CHUNK - 1) / CHUNK);
    // 2.1 MB at 50 MB/s: the last chunk cannot be ready before 42 ms.
    assertThat(took)
        .isGreaterThanOrEqualTo(
            Duration.ofMillis((long) (bytes.length / 1e3 / megabytesPerSecond)));
  }

  @Test
  void aLinkWithoutSpeedIsRefused() {
    assertThatThrownBy(() -> ArchiveStreams.paced(ByteBuffer.allocate(1), CHUNK, 0, timer))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("link speed");
  }

  private static byte[] concat(List<ByteBuffer> chunks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (ByteBuffer chunk : chunks) {
      byte[] b = new byte[chunk.remaining()];
      chunk.duplicate().get(b);
      out.writeBytes(b);
    }
    return out.toByteArray();
  }
}
