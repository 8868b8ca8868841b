package io.segmenttransfer.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.SegmentId;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeepStoreLayoutTest {

  private static final SegmentId SEGMENT = SegmentId.of("events_OFFLINE", "events_0");

  @TempDir Path dir;

  @Test
  void tableWithTypeThenSegmentWithTheCodecsExtension() {
    assertThat(new DeepStoreLayout(URI.create("s3://bucket/pinot")).archive(SEGMENT, Codec.GZIP))
        .isEqualTo(URI.create("s3://bucket/pinot/events_OFFLINE/events_0.tar.gz"));
    assertThat(new DeepStoreLayout(URI.create("s3://bucket/pinot/")).archive(SEGMENT, Codec.ZSTD))
        .isEqualTo(URI.create("s3://bucket/pinot/events_OFFLINE/events_0.tar.zst"));
    assertThat(new DeepStoreLayout(URI.create("s3://bucket")).archive(SEGMENT, Codec.LZ4))
        .isEqualTo(URI.create("s3://bucket/events_OFFLINE/events_0.tar.lz4"));
    assertThat(new DeepStoreLayout(URI.create("s3://bucket/")).archive(SEGMENT, Codec.NONE))
        .isEqualTo(URI.create("s3://bucket/events_OFFLINE/events_0.tar"));
    assertThat(new DeepStoreLayout(URI.create("file:///var/deep/")).archive(SEGMENT, Codec.GZIP))
        .isEqualTo(URI.create("file:///var/deep/events_OFFLINE/events_0.tar.gz"));
    // As a string too: the download URL is read back with SegmentStores.toUri, which needs
    // "file://".
    assertThat(
            new DeepStoreLayout(Path.of("/var/deep").toUri())
                .archive(SEGMENT, Codec.GZIP)
                .toString())
        .isEqualTo("file:///var/deep/events_OFFLINE/events_0.tar.gz");
    assertThat(new DeepStoreLayout(URI.create("/var/deep")).archive(SEGMENT, Codec.GZIP))
        .isEqualTo(URI.create("/var/deep/events_OFFLINE/events_0.tar.gz"));
  }

  @Test
  void aVersionSitsBetweenTheNameAndTheExtensionBehindTwoDots() {
    DeepStoreLayout layout = new DeepStoreLayout(URI.create("s3://bucket/pinot"));
    assertThat(layout.versionedArchive(SEGMENT, Codec.ZSTD, "r1700000000000-0a1b"))
        .isEqualTo(
            URI.create("s3://bucket/pinot/events_OFFLINE/events_0..r1700000000000-0a1b.tar.zst"));
    // No segment name holds "..", so no version of one segment is another segment's plain key.
    assertThat(layout.versionedArchive(SEGMENT, Codec.GZIP, "v1"))
        .isNotEqualTo(layout.archive(SegmentId.of("events_OFFLINE", "events_0.v1"), Codec.GZIP));
    assertThatThrownBy(() -> layout.versionedArchive(SEGMENT, Codec.GZIP, "../x"))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void theTwoTypesOfAHybridTableDoNotShareAKey() {
    DeepStoreLayout layout = new DeepStoreLayout(URI.create("s3://bucket"));
    assertThat(layout.archive(SegmentId.of("events_OFFLINE", "s"), Codec.GZIP))
        .isNotEqualTo(layout.archive(SegmentId.of("events_REALTIME", "s"), Codec.GZIP));
  }

  @Test
  void segmentNamesArePercentEncodedAndDecodeToExactlyTheName() {
    String name = "ev ents%20#1?x=ü";
    URI uri =
        new DeepStoreLayout(URI.create("s3://bucket/pre"))
            .archive(SegmentId.of("events_OFFLINE", name), Codec.GZIP);

    assertThat(uri.toString())
        .isEqualTo("s3://bucket/pre/events_OFFLINE/ev%20ents%2520%231%3Fx=%C3%BC.tar.gz");
    assertThat(uri.getPath()).isEqualTo("/pre/events_OFFLINE/" + name + ".tar.gz");
    assertThat(uri.getRawQuery()).isNull();
    assertThat(uri.getRawFragment()).isNull();
    assertThat(URI.create(uri.toString())).isEqualTo(uri);
  }

  @Test
  void aFileBaseMapsToTheFileOfThatNameUnderTheBaseDirectory() {
    Path base =
        dir.resolve("deep store"); // Path.toUri escapes the space: it must not be escaped twice
    String name = "seg 1%#ü";
    URI uri =
        new DeepStoreLayout(base.toUri()).archive(SegmentId.of("events_OFFLINE", name), Codec.GZIP);

    assertThat(Path.of(uri)).isEqualTo(base.resolve("events_OFFLINE").resolve(name + ".tar.gz"));
  }

  @Test
  void refusesBasesThatCannotTakeAPath() {
    assertThatThrownBy(() -> new DeepStoreLayout(null)).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> new DeepStoreLayout(URI.create("s3:bucket")))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> new DeepStoreLayout(URI.create("s3://bucket/p?x=1")))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> new DeepStoreLayout(URI.create("s3://bucket/p#f")))
        .isInstanceOf(InvalidRequestException.class);
  }
}
