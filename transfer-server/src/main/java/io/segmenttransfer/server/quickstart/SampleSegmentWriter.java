package io.segmenttransfer.server.quickstart;

import io.segmenttransfer.core.segment.CreationMeta;
import io.segmenttransfer.core.segment.SegmentId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.zip.Adler32;

/**
 * Writes one click-stream segment in Pinot's v3 layout: {@code v3/columns.psf} (every column's
 * indexes back to back), {@code v3/index_map} (where each index starts and how long it is), {@code
 * v3/metadata.properties} and {@code v3/creation.meta}.
 *
 * <p>The content is shaped like real columns so that it compresses like a real segment (2-3x with
 * gzip): sorted timestamps, skewed dictionary ids, a sorted string dictionary and random-looking
 * metric values. The CRC is computed as Pinot computes it, independently of the project's own CRC
 * code: one running Adler-32 over every file except {@code creation.meta}, in sorted path order
 * ({@code columns.psf}, {@code index_map}, {@code metadata.properties}), which is also the order
 * they are written in here.
 *
 * <p>Blocking file I/O: run it on a blocking-capable thread.
 */
final class SampleSegmentWriter {

  private static final int BUFFER_SIZE = 256 * 1024;
  private static final String[] COUNTRIES = {
    "US", "IN", "DE", "BR", "GB", "FR", "JP", "CA", "MX", "ES", "IT", "NL", "SE", "PL", "AU", "KR",
    "TR", "AR", "ZA", "NG"
  };
  private static final String[] DEVICES = {"mobile", "desktop", "tablet", "tv"};
  private static final int PAGES = 2_000;
  private static final int PAGE_WIDTH = 32;
  private static final int COUNTRY_WIDTH = 2;
  private static final int DEVICE_WIDTH = 8;

  /** ts (8) + country id (1) + device id (1) + page id (4) + clicks (2) + revenue (8). */
  private static final int BYTES_PER_DOC = 24;

  /** What the small files and the dictionaries take, roughly: the rest of the size is rows. */
  private static final long OVERHEAD = 4_096L + (long) PAGES * PAGE_WIDTH;

  /** One index inside {@code columns.psf}. */
  private record Section(String column, String index, long offset, long size) {}

  private final SegmentId segment;
  private final long startMs;
  private final long durationMs;
  private final long docs;
  private final long seed;

  SampleSegmentWriter(
      SegmentId segment, long startMs, long durationMs, long approximateBytes, long seed) {
    this.segment = segment;
    this.startMs = startMs;
    this.durationMs = durationMs;
    this.docs = Math.max(1, (approximateBytes - OVERHEAD) / BYTES_PER_DOC);
    this.seed = seed;
  }

  /** The rows the segment holds. */
  long docs() {
    return docs;
  }

  /**
   * Writes the segment into {@code segmentDir} (created; must not exist yet) and returns its
   * creation.meta.
   */
  CreationMeta write(Path segmentDir) throws IOException {
    Path v3 = Files.createDirectories(segmentDir.resolve("v3"));
    List<Section> sections = layout();
    Adler32 crc = new Adler32();
    try (Sink columns = new Sink(v3.resolve("columns.psf"), crc)) {
      writeColumns(columns);
    }
    try (Sink indexMap = new Sink(v3.resolve("index_map"), crc)) {
      indexMap.put(indexMap(sections).getBytes(StandardCharsets.UTF_8));
    }
    try (Sink metadata = new Sink(v3.resolve("metadata.properties"), crc)) {
      metadata.put(metadataProperties().getBytes(StandardCharsets.UTF_8));
    }
    CreationMeta meta =
        new CreationMeta(crc.getValue(), startMs + durationMs, OptionalLong.of(crc.getValue()));
    Files.write(v3.resolve(CreationMeta.FILE_NAME), meta.toBytes());
    return meta;
  }

  private List<Section> layout() {
    List<Section> sections = new ArrayList<>();
    long offset = 0;
    for (Object[] s :
        new Object[][] {
          {"ts", "forward_index", docs * 8},
          {"country", "dictionary", (long) COUNTRIES.length * COUNTRY_WIDTH},
          {"country", "forward_index", docs},
          {"device", "dictionary", (long) DEVICES.length * DEVICE_WIDTH},
          {"device", "forward_index", docs},
          {"page", "dictionary", (long) PAGES * PAGE_WIDTH},
          {"page", "forward_index", docs * 4},
          {"clicks", "forward_index", docs * 2},
          {"revenue", "forward_index", docs * 8}
        }) {
      long size = (Long) s[2];
      sections.add(new Section((String) s[0], (String) s[1], offset, size));
      offset += size;
    }
    return sections;
  }

  /** The sections in {@link #layout()} order; each forward index is one value per document. */
  private void writeColumns(Sink out) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    long step = Math.max(1, durationMs / docs);
    long ts = startMs;
    for (long d = 0; d < docs; d++) {
      ts = Math.min(startMs + durationMs - 1, ts + random.nextLong(2 * step));
      out.ensure(8).putLong(ts);
    }
    for (String country : COUNTRIES) {
      out.put(padded(country, COUNTRY_WIDTH));
    }
    for (long d = 0; d < docs; d++) {
      out.ensure(1).put((byte) skewed(random, COUNTRIES.length));
    }
    for (String device : DEVICES) {
      out.put(padded(device, DEVICE_WIDTH));
    }
    for (long d = 0; d < docs; d++) {
      out.ensure(1).put((byte) skewed(random, DEVICES.length));
    }
    for (int p = 0; p < PAGES; p++) {
      out.put(padded(String.format("/catalog/item-%05d.html", p), PAGE_WIDTH));
    }
    for (long d = 0; d < docs; d++) {
      out.ensure(4).putInt(skewed(random, PAGES));
    }
    for (long d = 0; d < docs; d++) {
      out.ensure(2)
          .putShort((short) (random.nextInt(4) == 0 ? random.nextInt(1_000) : random.nextInt(10)));
    }
    for (long d = 0; d < docs; d++) {
      out.ensure(8).putDouble(random.nextInt(1_000_000) / 100.0);
    }
  }

  /** Popular values first, as real dimensions are: a cubed uniform draw. */
  private static int skewed(SplittableRandom random, int cardinality) {
    double u = random.nextDouble();
    return (int) (u * u * u * cardinality);
  }

  private static byte[] padded(String value, int width) {
    byte[] bytes = new byte[width];
    byte[] text = value.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(text, 0, bytes, 0, Math.min(width, text.length));
    return bytes;
  }

  private static String indexMap(List<Section> sections) {
    StringBuilder map = new StringBuilder();
    for (Section s : sections) {
      map.append(s.column())
          .append('.')
          .append(s.index())
          .append(".startOffset = ")
          .append(s.offset())
          .append('\n');
      map.append(s.column())
          .append('.')
          .append(s.index())
          .append(".size = ")
          .append(s.size())
          .append('\n');
    }
    return map.toString();
  }

  private String metadataProperties() {
    return String.join(
        "\n",
        "segment.name = " + segment.segmentName(),
        "segment.table.name = " + segment.table().rawName(),
        "segment.dimension.column.names = country,device,page",
        "segment.metric.column.names = clicks,revenue",
        "segment.datetime.column.names = ts",
        "segment.time.column.name = ts",
        "segment.total.docs = " + docs,
        "segment.start.time = " + startMs,
        "segment.end.time = " + (startMs + durationMs - 1),
        "segment.time.unit = MILLISECONDS",
        "column.ts.isSorted = true",
        "column.country.cardinality = " + COUNTRIES.length,
        "column.device.cardinality = " + DEVICES.length,
        "column.page.cardinality = " + PAGES,
        "segment.index.version = v3",
        "");
  }

  /** A file written through one buffer, every byte also fed to the segment's running Adler-32. */
  private static final class Sink implements AutoCloseable {
    private final FileChannel channel;
    private final Adler32 crc;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);

    Sink(Path file, Adler32 crc) throws IOException {
      this.channel =
          FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      this.crc = crc;
    }

    /** The buffer, with room for {@code bytes} more. */
    ByteBuffer ensure(int bytes) throws IOException {
      if (buffer.remaining() < bytes) {
        flush();
      }
      return buffer;
    }

    void put(byte[] bytes) throws IOException {
      int done = 0;
      while (done < bytes.length) {
        int n = Math.min(ensure(1).remaining(), bytes.length - done);
        buffer.put(bytes, done, n);
        done += n;
      }
    }

    private void flush() throws IOException {
      buffer.flip();
      crc.update(buffer.array(), 0, buffer.limit());
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      buffer.clear();
    }

    @Override
    public void close() throws IOException {
      try {
        flush();
      } finally {
        channel.close();
      }
    }
  }
}
