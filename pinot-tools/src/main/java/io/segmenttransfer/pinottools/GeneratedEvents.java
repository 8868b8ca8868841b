package io.segmenttransfer.pinottools;

import java.io.File;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.pinot.spi.data.readers.GenericRow;
import org.apache.pinot.spi.data.readers.RecordReader;
import org.apache.pinot.spi.data.readers.RecordReaderConfig;

/**
 * Rows of {@link EventsTable}, generated from a seed: the same seed and row count give the same
 * rows, so the same segment. Pinot's creation driver reads the rows twice (statistics, then
 * indexes), which {@link #rewind()} restarts from the seed.
 *
 * <p>Distributions are skewed as in real click streams (a few countries and campaigns dominate),
 * and the time column rises over one hour from {@link #START_MILLIS}, as rows of one segment do.
 */
final class GeneratedEvents implements RecordReader {

  static final long START_MILLIS = 1_700_000_000_000L;
  static final long SPAN_MILLIS = 3_600_000L;

  private static final long serialVersionUID = 1L;
  private static final String[] DEVICES = {"android", "ios", "web", "tv", "other"};
  private static final int COUNTRIES = 60;
  private static final int CAMPAIGNS = 2_000;
  private static final int TAG_VALUES = 40;
  private static final int USERS = 1_000_000;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final long seed;
  private final long rows;
  private SplittableRandom random;
  private long next;

  GeneratedEvents(long seed, long rows) {
    this.seed = seed;
    this.rows = rows;
    rewind();
  }

  @Override
  public void init(File dataFile, Set<String> fieldsToRead, RecordReaderConfig config) {
    // Nothing to open: the rows come from the seed.
  }

  @Override
  public boolean hasNext() {
    return next < rows;
  }

  @Override
  public GenericRow next(GenericRow reuse) {
    reuse.clear();
    long row = next++;
    reuse.putValue(EventsTable.COUNTRY, "C" + skewed(COUNTRIES));
    reuse.putValue(EventsTable.DEVICE, DEVICES[skewed(DEVICES.length)]);
    reuse.putValue(EventsTable.CAMPAIGN, "campaign-" + skewed(CAMPAIGNS));
    reuse.putValue(EventsTable.USER_ID, (long) random.nextInt(USERS));
    int tagCount = 1 + random.nextInt(4);
    Object[] tags = new Object[tagCount];
    for (int i = 0; i < tagCount; i++) {
      tags[i] = "tag" + skewed(TAG_VALUES);
    }
    reuse.putValue(EventsTable.TAGS, tags);
    reuse.putValue(EventsTable.SESSION_ID, hex(random.nextLong()));
    reuse.putValue(EventsTable.CLICKS, skewed(50));
    reuse.putValue(EventsTable.REVENUE, Math.round(random.nextDouble() * 100_000) / 100.0);
    reuse.putValue(EventsTable.LATENCY_MS, 5 + skewed(2_000));
    reuse.putValue(EventsTable.TIME, START_MILLIS + row * SPAN_MILLIS / Math.max(rows, 1));
    return reuse;
  }

  @Override
  public void rewind() {
    random = new SplittableRandom(seed);
    next = 0;
  }

  @Override
  public void close() {
    // Nothing to release.
  }

  /** A value in [0, bound) with small values far more likely (the square of a uniform). */
  private int skewed(int bound) {
    double u = random.nextDouble();
    return (int) (u * u * bound);
  }

  private static String hex(long value) {
    char[] chars = new char[16];
    for (int i = 15; i >= 0; i--) {
      chars[i] = HEX[(int) (value & 0xF)];
      value >>>= 4;
    }
    return new String(chars);
  }
}
