package io.segmenttransfer.server.daemon;

import static io.segmenttransfer.server.daemon.DeepStoreTestCluster.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.DeepStoreLayout;
import io.segmenttransfer.core.store.ObjectInfo;
import io.segmenttransfer.core.testing.ForwardingSegmentStore;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.s3.S3SegmentStore;
import io.segmenttransfer.server.InProcessS3;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The deep store in the data path: with an S3 deep store, a pushed segment's download URL is its S3
 * URI and a server reads it from S3 itself; the controller never serves the bytes.
 */
class S3DeepStoreDataPathTest {

  private static final TableNameWithType TABLE = TableNameWithType.parse("events_OFFLINE");

  @TempDir Path dir;

  /** The controller's S3 store, counting what its download route would do: stat and read. */
  private static final class CountingStore extends ForwardingSegmentStore {
    final AtomicInteger reads = new AtomicInteger();

    CountingStore(S3SegmentStore delegate) {
      super(delegate);
    }

    @Override
    public Flux<ByteBuffer> read(URI uri, long offset) {
      return super.read(uri, offset).doOnSubscribe(s -> reads.incrementAndGet());
    }

    @Override
    public Mono<ObjectInfo> stat(URI uri) {
      return super.stat(uri).doOnSubscribe(s -> reads.incrementAndGet());
    }
  }

  @Test
  void aPushedSegmentsUrlIsItsS3UriAndAServerLoadsItFromS3WithoutTheController() throws Exception {
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    SegmentId segment = new SegmentId(TABLE, fixture.segmentName());
    URI deepStore = URI.create("s3://deep/prefix");
    try (InProcessS3 s3 = InProcessS3.start("deep");
        S3SegmentStore store = S3SegmentStore.create(s3.config())) {
      CountingStore counting = new CountingStore(store);
      EmbeddedController controller =
          EmbeddedController.create(
                  ControllerConfig.defaults(dir.resolve("controller"))
                      .withPort(0)
                      .withDeepStore(deepStore),
                  List.of(counting))
              .block(TIMEOUT);
      try (DeepStoreTestCluster cluster = new DeepStoreTestCluster(controller, dir)) {
        cluster.client.createTable(TABLE, 1).block(TIMEOUT);
        cluster.client.uploadSegment(TABLE, fixture.file()).block(TIMEOUT);

        URI archive = new DeepStoreLayout(deepStore).archive(segment, Codec.GZIP);
        assertThat(cluster.client.metadata(segment).block(TIMEOUT).downloadUrl())
            .contains(archive.toString());
        assertThat(store.exists(archive).block(TIMEOUT)).isTrue();

        SegmentServer server = cluster.server("a", null, s3.config());
        server.bootstrapped().block(TIMEOUT);
        cluster.awaitOnline(segment, server.instanceId());

        assertThat(server.directory().localCrcs(TABLE).block(TIMEOUT))
            .containsEntry(segment.segmentName(), fixture.crc());
        assertThat(server.metrics().scrape())
            .contains("segment_transfer_bytes_total{source=\"deepstore-s3\"}")
            .doesNotContain("source=\"controller\"");
        assertThat(counting.reads).as("the controller's download route read nothing").hasValue(0);
      }
    }
  }
}
