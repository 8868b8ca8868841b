package io.segmenttransfer.pinottools;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.pinot.segment.local.indexsegment.immutable.ImmutableSegmentLoader;
import org.apache.pinot.segment.local.segment.index.loader.IndexLoadingConfig;
import org.apache.pinot.segment.spi.ImmutableSegment;
import org.apache.pinot.segment.spi.index.IndexService;
import org.apache.pinot.segment.spi.index.IndexType;
import org.apache.pinot.segment.spi.store.SegmentDirectory;

/**
 * What Pinot's own loader sees in a segment: per column the indexes the loaded segment exposes
 * (every index type Pinot knows, asked by id), and whether a server would still preprocess it
 * ({@link ImmutableSegmentLoader#needPreprocess}: a format conversion, or {@code
 * SegmentPreProcessor.needProcess()}).
 *
 * @param columns column name to the ids of its indexes, both sorted
 */
record SegmentIndexReport(
    String segmentName,
    long totalDocs,
    boolean needsProcessing,
    Map<String, List<String>> columns) {

  /** Reads the segment without changing it. */
  static SegmentIndexReport of(File indexDir, IndexLoadingConfig config) throws Exception {
    boolean needsProcessing;
    try (SegmentDirectory directory = SegmentDirectories.open(indexDir, config)) {
      needsProcessing = ImmutableSegmentLoader.needPreprocess(directory, config);
    }
    ImmutableSegment segment = ImmutableSegmentLoader.load(indexDir, config, false);
    try {
      Map<String, List<String>> columns = new TreeMap<>();
      List<IndexType<?, ?, ?>> indexTypes = IndexService.getInstance().getAllIndexes();
      for (String column : new TreeSet<>(segment.getPhysicalColumnNames())) {
        List<String> present = new ArrayList<>();
        for (IndexType<?, ?, ?> type : indexTypes) {
          if (segment.getIndex(column, type) != null) {
            present.add(type.getId());
          }
        }
        present.sort(null);
        columns.put(column, List.copyOf(present));
      }
      return new SegmentIndexReport(
          segment.getSegmentName(),
          segment.getSegmentMetadata().getTotalDocs(),
          needsProcessing,
          columns);
    } finally {
      segment.destroy();
    }
  }
}
