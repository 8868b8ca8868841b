package io.segmenttransfer.server.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.s3.S3SegmentStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The quickstart's deep store taken down and brought back: writes fail while down, nothing is lost.
 */
class QuickstartDeepStoreTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final TableNameWithType TABLE =
      new TableNameWithType("clicks", TableNameWithType.TableType.REALTIME);
  private static final SegmentId BEFORE = new SegmentId(TABLE, "clicks__0__0__20261206T2000Z");
  private static final SegmentId DURING = new SegmentId(TABLE, "clicks__0__1__20261206T2100Z");

  @TempDir Path dir;
  private final Scheduler scheduler = Schedulers.newBoundedElastic(2, 100, "deep-store-test");

  @AfterEach
  void stop() {
    scheduler.dispose();
  }

  @Test
  void aDirectoryDownIsAPlainFileThatRefusesWritesAndComesBackWithItsArchives() throws Exception {
    Path root = dir.resolve("deepstore");
    try (QuickstartDeepStore deepStore = QuickstartDeepStore.local(root, scheduler)) {
      SegmentStore store = new LocalFileSegmentStore(scheduler);
      write(store, deepStore, BEFORE);

      assertThat(deepStore.down()).contains("plain file");
      assertThat(root).isRegularFile();
      assertThatThrownBy(() -> write(store, deepStore, DURING)).isNotNull();
      assertThatThrownBy(deepStore::down).isInstanceOf(IllegalStateException.class);

      assertThat(deepStore.up()).contains("back");
      assertThat(root).isDirectory();
      assertThat(deepStore.exists(BEFORE).block(TIMEOUT)).isTrue();
      assertThat(deepStore.exists(DURING).block(TIMEOUT)).isFalse();
      write(store, deepStore, DURING);
      assertThat(deepStore.exists(DURING).block(TIMEOUT)).isTrue();
      assertThatThrownBy(deepStore::up).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void aDirectoryLeftDownIsPutBackOnClose() throws Exception {
    Path root = dir.resolve("deepstore");
    Files.createDirectories(root.resolve("keep"));
    QuickstartDeepStore deepStore = QuickstartDeepStore.local(root, scheduler);
    deepStore.down();
    deepStore.close();
    assertThat(root.resolve("keep")).isDirectory();
  }

  @Test
  void anS3ServerDownRefusesWritesAndComesBackOnItsPortWithItsBucket() throws Exception {
    try (QuickstartDeepStore deepStore = QuickstartDeepStore.s3();
        S3SegmentStore store = S3SegmentStore.create(deepStore.s3Config())) {
      write(store, deepStore, BEFORE);

      assertThat(deepStore.down()).contains("stopped the S3 server");
      assertThatThrownBy(() -> write(store, deepStore, DURING)).isNotNull();

      assertThat(deepStore.up()).contains("started the S3 server again");
      assertThat(deepStore.exists(BEFORE).block(TIMEOUT)).isTrue();
      write(store, deepStore, DURING);
      assertThat(deepStore.exists(DURING).block(TIMEOUT)).isTrue();
    }
  }

  @Test
  void aBuiltSegmentIsAnLlcNamedDirectoryWhoseFilesAddUpToItsCrc() throws Exception {
    BuiltSegment built =
        SampleSegments.writeBuilt(dir, BEFORE, 7, 500_000, scheduler).block(TIMEOUT);

    assertThat(built.directory()).isEqualTo(dir.resolve(BEFORE.segmentName()));
    assertThat(built.directory().resolve("v3").resolve("creation.meta")).isRegularFile();
    assertThat(SampleSegments.crcOf(built.directory())).isEqualTo(built.crc());
    assertThat(built.rows()).isPositive();
    assertThat(built.bytes()).isBetween(400_000L, 600_000L);
    Files.write(
        built.directory().resolve("v3").resolve("index_map"),
        new byte[] {1},
        java.nio.file.StandardOpenOption.APPEND);
    assertThat(SampleSegments.crcOf(built.directory())).isNotEqualTo(built.crc());
  }

  private static void write(SegmentStore store, QuickstartDeepStore deepStore, SegmentId segment) {
    store
        .write(
            deepStore.archiveOf(segment),
            Flux.just(ByteBuffer.wrap(segment.segmentName().getBytes(StandardCharsets.UTF_8))))
        .block(TIMEOUT);
  }
}
