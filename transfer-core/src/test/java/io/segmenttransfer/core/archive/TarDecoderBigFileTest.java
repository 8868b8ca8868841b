package io.segmenttransfer.core.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.error.InvalidArchiveException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Entries over 8 GiB, whose size does not fit the octal field: only the header is real; the data is
 * zeros streamed in large chunks through a listener that only counts them.
 */
class TarDecoderBigFileTest {

  private static final long SIZE = (8L << 30) + 12_345; // not block-aligned: padding follows
  private static final String NAME = "seg/v3/columns.psf";

  /** Who writes the header, and how it encodes the size. */
  enum HeaderWriter {
    COMMONS_STAR(size -> commonsHeader(TarArchiveOutputStream.BIGNUMBER_STAR, size)),
    COMMONS_POSIX(size -> commonsHeader(TarArchiveOutputStream.BIGNUMBER_POSIX, size)),
    TAR_ENCODER(size -> bytes(new TarEncoder().fileHeader(NAME, size, 1_700_000_000_000L)));

    final Function<Long, byte[]> header;

    HeaderWriter(Function<Long, byte[]> header) {
      this.header = header;
    }
  }

  /** Counts data bytes and records the callbacks, without touching the data. */
  static final class CountingListener implements TarEntryListener {
    final List<String> events = new ArrayList<>();
    long bytes;

    @Override
    public void directory(String path) {
      events.add("dir " + path);
    }

    @Override
    public void fileStart(String path, long size) {
      events.add("start " + path + " " + size);
    }

    @Override
    public void fileData(ByteBuffer data) {
      bytes += data.remaining();
    }

    @Override
    public void fileEnd() {
      events.add("end " + bytes);
    }
  }

  @ParameterizedTest
  @EnumSource(HeaderWriter.class)
  void streamsAnEntryOverEightGibibytes(HeaderWriter writer) {
    byte[] header = writer.header.apply(SIZE);
    // Each writer must exercise its own encoding: base-256 alone, or a PAX size record first.
    boolean pax = writer != HeaderWriter.COMMONS_STAR;
    assertThat(header).hasSize(pax ? 3 * 512 : 512);
    assertThat(header[156]).isEqualTo(pax ? (byte) 'x' : (byte) '0');
    CountingListener listener = new CountingListener();
    TarDecoder decoder = new TarDecoder("big", listener);

    decoder.decode(ByteBuffer.wrap(header));
    streamZeros(decoder, SIZE);
    decoder.decode(ByteBuffer.wrap(TarFixtures.padding(SIZE)));
    decoder.decode(ByteBuffer.wrap(TarFixtures.endOfArchive()));
    decoder.finish();

    assertThat(listener.events).containsExactly("start " + NAME + " " + SIZE, "end " + SIZE);
    assertThat(listener.bytes).isEqualTo(SIZE);
    assertThat(decoder.isComplete()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(HeaderWriter.class)
  void aBigEntryCutShortIsRefused(HeaderWriter writer) {
    TarDecoder decoder = new TarDecoder("big", new CountingListener());
    decoder.decode(ByteBuffer.wrap(writer.header.apply(SIZE)));
    streamZeros(decoder, SIZE - 1);

    assertThatThrownBy(decoder::finish)
        .isInstanceOf(InvalidArchiveException.class)
        .hasMessageContaining("truncated in the data of entry '" + NAME + "': 1 of " + SIZE);
  }

  private static void streamZeros(TarDecoder decoder, long size) {
    ByteBuffer zeros = ByteBuffer.allocateDirect(4 << 20);
    long left = size;
    while (left > 0) {
      zeros.clear().limit((int) Math.min(zeros.capacity(), left));
      left -= zeros.remaining();
      decoder.decode(zeros);
    }
  }

  /** The header bytes commons-compress writes for the entry (it writes them before any data). */
  private static byte[] commonsHeader(int bigNumberMode, long size) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      TarArchiveOutputStream out = new TarArchiveOutputStream(bytes, "UTF-8");
      out.setBigNumberMode(bigNumberMode);
      TarArchiveEntry entry = new TarArchiveEntry(NAME);
      entry.setSize(size);
      out.putArchiveEntry(entry);
      out.flush();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    byte[] header = bytes.toByteArray();
    assertThat(header.length % 512).isZero();
    assertThat(header.length).isPositive();
    return header;
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.get(a);
    return a;
  }
}
