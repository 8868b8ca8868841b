package io.segmenttransfer.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The bytes of a generated {@code columns.psf}: each {@link ColumnSection} filled with its kind's
 * pattern from a seeded generator, eight bytes at a time, so a gigabyte is produced in about a
 * second and the same seed always gives the same bytes.
 */
final class ColumnsContent implements SegmentContent {

  private static final int ROW_WIDTH = 32;
  private static final byte[] STRING_PREFIX = "page/category-".getBytes(StandardCharsets.US_ASCII);

  /**
   * Maps a uniform byte to a skewed dictionary id in 0..63 (small ids far more frequent), about
   * five bits of entropy per byte: what a bit-packed low-cardinality forward index compresses like.
   */
  private static final byte[] SKEW = new byte[256];

  static {
    for (int u = 0; u < 256; u++) {
      SKEW[u] = (byte) ((u * u) >>> 10);
    }
  }

  private final List<ColumnSection> sections;
  private final long seed;
  private final long size;

  private int section = -1;
  private long leftInSection;
  private long state;
  private long pending;
  private int pendingBytes;

  /** Per-kind state: the last timestamp, the string counter. */
  private long counter;

  private final byte[] row = new byte[ROW_WIDTH];
  private final ByteBuffer rowView = ByteBuffer.wrap(row);
  private int unitInRow = ROW_WIDTH / 8;

  ColumnsContent(List<ColumnSection> sections, long seed) {
    this.sections = sections;
    this.seed = seed;
    this.size = sections.stream().mapToLong(ColumnSection::size).sum();
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public int fill(ByteBuffer dst) {
    int start = dst.position();
    while (dst.hasRemaining()) {
      if (leftInSection == 0) {
        if (!nextSection()) {
          break;
        }
        continue;
      }
      if (pendingBytes > 0) {
        dst.put((byte) (pending >>> 56));
        pending <<= 8;
        pendingBytes--;
        leftInSection--;
        continue;
      }
      long units = Math.min(dst.remaining(), leftInSection) / 8;
      if (units == 0) {
        // Fewer than eight bytes left in the buffer or the section: hand out one unit bytewise.
        pending = nextUnit();
        pendingBytes = 8;
        continue;
      }
      ColumnSection.Kind kind = sections.get(section).kind();
      for (long i = 0; i < units; i++) {
        dst.putLong(nextUnit(kind));
      }
      leftInSection -= units * 8;
    }
    return dst.position() - start;
  }

  private boolean nextSection() {
    if (section + 1 >= sections.size()) {
      return false;
    }
    section++;
    ColumnSection s = sections.get(section);
    leftInSection = s.size();
    state = seed * 0x9E3779B97F4A7C15L + section;
    pendingBytes = 0;
    unitInRow = ROW_WIDTH / 8;
    counter = s.kind() == ColumnSection.Kind.SORTED_TIMESTAMPS ? 1_700_000_000_000L + seed : 0;
    return true;
  }

  private long nextUnit() {
    return nextUnit(sections.get(section).kind());
  }

  private long nextUnit(ColumnSection.Kind kind) {
    return switch (kind) {
      case SORTED_STRINGS -> nextStringUnit();
      case SORTED_TIMESTAMPS -> counter += 1 + (random() & 0x3ff);
      case SKEWED_DICT_IDS -> skewed(random());
      case DECIMAL_DOUBLES -> Double.doubleToRawLongBits(((random() >>> 11) % 100_000) / 100.0);
      case RANDOM_DICT_IDS -> random();
    };
  }

  /** Rows of {@code page/category-<8 digits>} padded with zeros to 32 bytes, values ascending. */
  private long nextStringUnit() {
    if (unitInRow == ROW_WIDTH / 8) {
      counter += 1 + (random() & 0xf);
      System.arraycopy(STRING_PREFIX, 0, row, 0, STRING_PREFIX.length);
      long v = counter;
      for (int i = STRING_PREFIX.length + 7; i >= STRING_PREFIX.length; i--) {
        row[i] = (byte) ('0' + v % 10);
        v /= 10;
      }
      unitInRow = 0;
    }
    return rowView.getLong(8 * unitInRow++);
  }

  private static long skewed(long r) {
    long out = 0;
    for (int i = 0; i < 8; i++) {
      out = (out << 8) | (SKEW[(int) (r >>> (8 * i)) & 0xff] & 0xff);
    }
    return out;
  }

  /** SplitMix64: fast, and good enough that zlib and zstd find no structure in it. */
  private long random() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
