package io.segmenttransfer.pinottools;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.pinot.common.utils.TarCompressionUtils;
import org.apache.pinot.segment.spi.index.metadata.SegmentMetadataImpl;
import org.apache.pinot.spi.utils.JsonUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code build-segment}: real Pinot segments, the same for the same seed, and their archives. */
class BuildSegmentCommandTest {

  @TempDir Path work;

  @Test
  void sameSeedGivesTheSameCrcAndAnotherSeedAnother() throws Exception {
    String first = crcOf(TestSegments.build(work.resolve("a"), 42));
    String second = crcOf(TestSegments.build(work.resolve("b"), 42));
    String other = crcOf(TestSegments.build(work.resolve("c"), 43));

    assertThat(second).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
  }

  @Test
  void buildsTheNamedSegmentAndItsArchiveWithPinotsTarUtility() throws Exception {
    Path archive = work.resolve("archives/s.tar.zst");
    ToolRun run =
        ToolRun.of(
            "build-segment",
            "--out",
            work.resolve("built").toString(),
            "--rows",
            "5000",
            "--seed",
            "3",
            "--table",
            "clicks",
            "--segment-name",
            "clicks_seg_7",
            "--archive",
            "zstd",
            "--archive-out",
            archive.toString(),
            "--json");

    assertThat(run.exitCode()).as(run.err()).isZero();
    Map<?, ?> json = JsonUtils.stringToObject(run.out(), Map.class);
    Path segment = work.resolve("built/clicks_seg_7");
    assertThat(json.get("segmentName")).isEqualTo("clicks_seg_7");
    assertThat(((Number) json.get("rows")).longValue()).isEqualTo(5000);
    assertThat(((Number) json.get("bytes")).longValue()).isEqualTo(SegmentBuilder.sizeOf(segment));
    assertThat(((Number) json.get("archiveBytes")).longValue()).isEqualTo(Files.size(archive));
    SegmentMetadataImpl metadata = new SegmentMetadataImpl(segment.toFile());
    assertThat(metadata.getTableName()).isEqualTo("clicks");
    assertThat(metadata.getTotalDocs()).isEqualTo(5000);
    assertThat(metadata.getVersion().toString()).isEqualTo("v3");

    Path untarred = Files.createDirectories(work.resolve("untarred"));
    TarCompressionUtils.untar(archive.toFile(), untarred.toFile());
    assertThat(SegmentFiles.digests(untarred.resolve("clicks_seg_7")))
        .isEqualTo(SegmentFiles.digests(segment));
  }

  static String crcOf(Path segment) throws Exception {
    return new SegmentMetadataImpl(segment.toFile()).getCrc();
  }
}
