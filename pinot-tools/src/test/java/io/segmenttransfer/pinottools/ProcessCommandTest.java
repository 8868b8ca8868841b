package io.segmenttransfer.pinottools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.pinot.segment.local.indexsegment.immutable.ImmutableSegmentLoader;
import org.apache.pinot.segment.local.segment.index.loader.IndexLoadingConfig;
import org.apache.pinot.segment.spi.ImmutableSegment;
import org.apache.pinot.segment.spi.index.StandardIndexes;
import org.apache.pinot.segment.spi.index.metadata.SegmentMetadataImpl;
import org.apache.pinot.segment.spi.store.SegmentDirectory;
import org.apache.pinot.spi.utils.JsonUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code process} and {@code check} in this JVM, on a real segment, judged by Pinot's own loader:
 * after a config change that adds an inverted index and a new column, the processed segment has
 * both and Pinot would not preprocess it again. (The same through the packaged jar: {@code
 * PackagedJarIT}.)
 */
class ProcessCommandTest {

  @TempDir static Path work;
  static Path segment;
  static TableFiles built;
  static TableFiles changed;

  @BeforeAll
  static void buildSegment() throws Exception {
    segment = TestSegments.build(work.resolve("segments"), 7);
    built = TableFiles.asBuilt(work.resolve("config"));
    changed = TableFiles.changed(work.resolve("config"));
  }

  @Test
  void segmentAsBuiltNeedsNoProcessingForItsOwnConfig() throws Exception {
    SegmentIndexReport report = check(built);

    assertThat(report.needsProcessing()).isFalse();
    assertThat(report.totalDocs()).isEqualTo(TestSegments.ROWS);
    assertThat(report.columns().get(EventsTable.COUNTRY)).contains("inverted_index");
    assertThat(report.columns().get(EventsTable.USER_ID)).contains("range_index");
    assertThat(report.columns().get(EventsTable.REVENUE)).doesNotContain("dictionary");
  }

  @Test
  void processAppliesTheChangedConfigInPlace() throws Exception {
    Path copy = copyOf(segment, work.resolve("processed"));
    SegmentIndexReport before = check(changed, copy);
    assertThat(before.needsProcessing()).isTrue();
    assertThat(before.columns().get(EventsTable.CAMPAIGN)).doesNotContain("inverted_index");
    assertThat(before.columns()).doesNotContainKey(TableFiles.NEW_COLUMN);
    byte[] creationMeta = Files.readAllBytes(copy.resolve("v3/creation.meta"));

    ToolRun run = ToolRun.of(concat("process", changed.options(copy)));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(Files.readAllBytes(copy.resolve("v3/creation.meta"))).isEqualTo(creationMeta);
    try (Stream<Path> top = Files.list(copy)) {
      assertThat(top.map(p -> p.getFileName().toString())).containsExactly("v3");
    }
    assertLoadsWithIndexAndNewColumn(copy, changed);
    SegmentIndexReport after = check(changed, copy);
    assertThat(after.needsProcessing()).isFalse();
    assertThat(after.columns().get(EventsTable.CAMPAIGN)).contains("inverted_index");
    assertThat(after.columns()).containsKey(TableFiles.NEW_COLUMN);
  }

  @Test
  void checkPrintsEveryColumnAsJson() throws Exception {
    ToolRun run = ToolRun.of(concat("check", built.options(segment), "--json"));

    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode json = JsonUtils.stringToJsonNode(run.out());
    assertThat(json.get("needsProcessing").asBoolean(true)).isFalse();
    assertThat(json.get("columns").fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder(
            EventsTable.COUNTRY,
            EventsTable.DEVICE,
            EventsTable.CAMPAIGN,
            EventsTable.USER_ID,
            EventsTable.TAGS,
            EventsTable.SESSION_ID,
            EventsTable.CLICKS,
            EventsTable.REVENUE,
            EventsTable.LATENCY_MS,
            EventsTable.TIME);
  }

  /**
   * Pinot's loader, as a server loads the segment: the new index and the new column with its
   * default.
   */
  static void assertLoadsWithIndexAndNewColumn(Path segmentDir, TableFiles changed)
      throws Exception {
    TableInputs inputs = TableInputs.read(changed.tableConfig(), changed.schema());
    IndexLoadingConfig config = inputs.indexLoadingConfig();
    try (SegmentDirectory directory = SegmentDirectories.open(segmentDir.toFile(), config)) {
      assertThat(ImmutableSegmentLoader.needPreprocess(directory, config)).isFalse();
    }
    ImmutableSegment loaded = ImmutableSegmentLoader.load(segmentDir.toFile(), config, false);
    try {
      assertThat(loaded.getIndex(EventsTable.CAMPAIGN, StandardIndexes.inverted())).isNotNull();
      assertThat(loaded.getPhysicalColumnNames()).contains(TableFiles.NEW_COLUMN);
      int docs = loaded.getSegmentMetadata().getTotalDocs();
      assertThat(docs).isPositive();
      for (int doc : List.of(0, docs / 2, docs - 1)) {
        assertThat(loaded.getValue(doc, TableFiles.NEW_COLUMN))
            .isEqualTo(TableFiles.NEW_COLUMN_DEFAULT);
      }
    } finally {
      loaded.destroy();
    }
    assertThat(
            new SegmentMetadataImpl(segmentDir.toFile())
                .getColumnMetadataFor(TableFiles.NEW_COLUMN))
        .isNotNull();
  }

  private static SegmentIndexReport check(TableFiles files) throws Exception {
    return check(files, segment);
  }

  private static SegmentIndexReport check(TableFiles files, Path segmentDir) throws Exception {
    TableInputs inputs = TableInputs.read(files.tableConfig(), files.schema());
    return SegmentIndexReport.of(segmentDir.toFile(), inputs.indexLoadingConfig());
  }

  static Path copyOf(Path source, Path target) throws Exception {
    try (Stream<Path> paths = Files.walk(source)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        Path to = target.resolve(source.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(to);
        } else {
          Files.copy(path, to);
        }
      }
    }
    return target;
  }

  static String[] concat(String command, String[] options, String... more) {
    return Stream.of(new String[] {command}, options, more)
        .flatMap(Stream::of)
        .toArray(String[]::new);
  }
}
