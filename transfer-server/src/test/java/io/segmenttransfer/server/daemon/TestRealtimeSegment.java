package io.segmenttransfer.server.daemon;

import io.segmenttransfer.core.segment.CreationMeta;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.Random;
import java.util.zip.Adler32;

/** A small Pinot v3 realtime segment directory with a correct creation.meta, written for a test. */
final class TestRealtimeSegment {

  private TestRealtimeSegment() {}

  /**
   * Writes {@code <parent>/<name>/v3/...} with the given end offset in metadata.properties; returns
   * the directory.
   */
  static Path write(Path parent, String name, String endOffset, int dataBytes, long seed)
      throws IOException {
    Path dir = parent.resolve(name);
    Path v3 = Files.createDirectories(dir.resolve("v3"));
    byte[] columns = new byte[dataBytes];
    new Random(seed).nextBytes(columns);
    byte[] indexMap =
        ("column.index.startOffset = 0\ncolumn.index.size = " + dataBytes + "\n")
            .getBytes(StandardCharsets.UTF_8);
    byte[] properties =
        ("segment.name = "
                + name
                + "\nsegment.total.docs = 42\n"
                + (endOffset == null ? "" : "segment.realtime.endOffset = " + endOffset + "\n"))
            .getBytes(StandardCharsets.UTF_8);
    Files.write(v3.resolve("columns.psf"), columns);
    Files.write(v3.resolve("index_map"), indexMap);
    Files.write(v3.resolve("metadata.properties"), properties);
    // Pinot's CRC: one running Adler-32 over the covered files in sorted path order.
    Adler32 adler = new Adler32();
    adler.update(columns);
    adler.update(indexMap);
    adler.update(properties);
    Files.write(
        v3.resolve(CreationMeta.FILE_NAME),
        new CreationMeta(adler.getValue(), 1_700_000_000_000L, OptionalLong.of(7)).toBytes());
    return dir;
  }
}
