package io.segmenttransfer.benchmarks;

import io.segmenttransfer.benchmarks.ColumnSection.Kind;
import io.segmenttransfer.core.segment.CreationMeta;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * A Pinot-like v3 segment made up from a {@link SegmentSpec}: {@code v3/columns.psf} holding the
 * column indexes, {@code v3/index_map} and {@code v3/metadata.properties} describing them, and
 * {@code v3/creation.meta} with the segment CRC. Files are described here and their bytes produced
 * on demand, so a segment of any size never sits in memory.
 *
 * <p>The mix of index kinds is chosen so the archive compresses like real segments: the Pinot 1.5
 * fixtures in {@code testdata/pinot-1.5.0} shrink about 1.8x with gzip; this generator gives about
 * 1.9x with gzip level 6 and with zstd level 3 ({@code SyntheticSegmentTest} keeps it within
 * 1.6-3.0).
 */
public final class SyntheticSegment {

  public static final String COLUMNS_FILE = "v3/columns.psf";
  public static final String INDEX_MAP_FILE = "v3/index_map";
  public static final String METADATA_FILE = "v3/metadata.properties";
  public static final String CREATION_META_FILE = "v3/" + CreationMeta.FILE_NAME;

  /** Share of {@code columns.psf} per region, in file order; the shares add up to 1. */
  private static final List<Share> SHARES =
      List.of(
          new Share("ts", "forward_index", Kind.SORTED_TIMESTAMPS, 0.22),
          new Share("country", "dictionary", Kind.SORTED_STRINGS, 0.01),
          new Share("country", "forward_index", Kind.SKEWED_DICT_IDS, 0.10),
          new Share("device", "dictionary", Kind.SORTED_STRINGS, 0.01),
          new Share("device", "forward_index", Kind.SKEWED_DICT_IDS, 0.08),
          new Share("clicks", "dictionary", Kind.SORTED_STRINGS, 0.01),
          new Share("clicks", "forward_index", Kind.SKEWED_DICT_IDS, 0.12),
          new Share("page", "dictionary", Kind.SORTED_STRINGS, 0.09),
          new Share("page", "forward_index", Kind.RANDOM_DICT_IDS, 0.05),
          new Share("userId", "forward_index", Kind.RANDOM_DICT_IDS, 0.05),
          new Share("revenue", "forward_index", Kind.DECIMAL_DOUBLES, 0.26));

  private record Share(String column, String index, Kind kind, double fraction) {}

  /** A regular file of the segment, path relative to the segment directory. */
  public record GeneratedFile(String path, long size) {}

  private final SegmentSpec spec;
  private final List<ColumnSection> sections;
  private final byte[] indexMap;
  private final byte[] metadata;

  public SyntheticSegment(SegmentSpec spec) {
    this.spec = spec;
    // The small files describe columns.psf, whose size is what remains of the total: iterate
    // until their sizes settle (offsets are printed in decimal, so one or two rounds suffice).
    long columnsSize = spec.totalBytes();
    List<ColumnSection> layout = null;
    byte[] map = null;
    byte[] meta = null;
    for (int round = 0; round < 10; round++) {
      layout = layout(columnsSize);
      map = indexMap(layout);
      meta = metadata(spec, layout);
      long next = spec.totalBytes() - map.length - meta.length - CreationMeta.MIN_SIZE - 8;
      if (next == columnsSize) {
        break;
      }
      columnsSize = next;
    }
    this.sections = layout;
    this.indexMap = map;
    this.metadata = meta;
  }

  public SegmentSpec spec() {
    return spec;
  }

  /** Directories, relative to the segment directory, parents first; "" is the segment directory. */
  public List<String> directories() {
    return List.of("", "v3");
  }

  /** The files the segment CRC covers, in archive order; {@code creation.meta} comes after them. */
  public List<GeneratedFile> dataFiles() {
    return List.of(
        new GeneratedFile(INDEX_MAP_FILE, indexMap.length),
        new GeneratedFile(METADATA_FILE, metadata.length),
        new GeneratedFile(COLUMNS_FILE, sections.stream().mapToLong(ColumnSection::size).sum()));
  }

  /** Every file of the segment, {@code creation.meta} last. */
  public List<GeneratedFile> files() {
    List<GeneratedFile> all = new ArrayList<>(dataFiles());
    all.add(new GeneratedFile(CREATION_META_FILE, 24));
    return all;
  }

  /** A fresh producer of the bytes of one of {@link #dataFiles()}. */
  public SegmentContent open(GeneratedFile file) {
    return switch (file.path()) {
      case INDEX_MAP_FILE -> SegmentContent.of(indexMap);
      case METADATA_FILE -> SegmentContent.of(metadata);
      case COLUMNS_FILE -> new ColumnsContent(sections, spec.seed());
      default ->
          throw new IllegalArgumentException(
              "not a data file of " + spec.segmentName() + ": " + file.path());
    };
  }

  /**
   * The {@code creation.meta} of Pinot 1.5 (24 bytes) for a segment whose files have {@code crc}.
   * The generator has no separate notion of a data CRC and repeats the segment CRC there.
   */
  public byte[] creationMeta(long crc) {
    return new CreationMeta(crc, creationTimeMs(), OptionalLong.of(crc)).toBytes();
  }

  public long creationTimeMs() {
    return 1_700_000_000_000L + spec.seed();
  }

  private static List<ColumnSection> layout(long columnsSize) {
    List<ColumnSection> layout = new ArrayList<>();
    long offset = 0;
    for (int i = 0; i < SHARES.size(); i++) {
      Share share = SHARES.get(i);
      long size =
          i == SHARES.size() - 1
              ? columnsSize - offset
              : (long) (columnsSize * share.fraction()) & ~7L;
      layout.add(new ColumnSection(share.column(), share.index(), share.kind(), offset, size));
      offset += size;
    }
    return layout;
  }

  private static byte[] indexMap(List<ColumnSection> layout) {
    StringBuilder out = new StringBuilder();
    for (ColumnSection s : layout) {
      String key = s.column() + "." + s.index();
      out.append(key).append(".startOffset = ").append(s.offset()).append('\n');
      out.append(key).append(".size = ").append(s.size()).append('\n');
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] metadata(SegmentSpec spec, List<ColumnSection> layout) {
    long docs = layout.get(0).size() / 8;
    StringBuilder out = new StringBuilder();
    out.append("segment.padding.character = \\u0000\n");
    out.append("segment.name = ").append(spec.segmentName()).append('\n');
    out.append("segment.table.name = ").append(spec.table().rawName()).append('\n');
    out.append("segment.dimension.column.names = country,device,page,userId\n");
    out.append("segment.metric.column.names = clicks,revenue\n");
    out.append("segment.datetime.column.names = ts\n");
    out.append("segment.time.column.name = ts\n");
    out.append("segment.total.docs = ").append(docs).append('\n');
    out.append("segment.time.unit = MILLISECONDS\n");
    for (ColumnSection s : layout) {
      String prefix = "column." + s.column() + ".";
      if (s.index().equals("forward_index")) {
        out.append(prefix).append("totalDocs = ").append(docs).append('\n');
        out.append(prefix)
            .append("hasDictionary = ")
            .append(s.kind() == Kind.SKEWED_DICT_IDS || s.kind() == Kind.RANDOM_DICT_IDS)
            .append('\n');
        out.append(prefix)
            .append("isSorted = ")
            .append(s.kind() == Kind.SORTED_TIMESTAMPS)
            .append('\n');
        out.append(prefix).append("isSingleValues = true\n");
      }
    }
    out.append("segment.index.version = v3\n");
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }
}
