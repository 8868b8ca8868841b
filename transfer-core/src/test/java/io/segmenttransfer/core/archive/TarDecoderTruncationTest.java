package io.segmenttransfer.core.archive;

import static io.segmenttransfer.core.archive.TarFixtures.concat;
import static io.segmenttransfer.core.archive.TarFixtures.endOfArchive;
import static io.segmenttransfer.core.archive.TarFixtures.header;
import static io.segmenttransfer.core.archive.TarFixtures.padding;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.segmenttransfer.core.error.InvalidArchiveException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

/** An archive cut anywhere before its end-of-archive blocks is refused at {@code finish()}. */
class TarDecoderTruncationTest {

  @Test
  void everyCutBeforeTheEndMarkerIsRefused() {
    Map<String, byte[]> tree = new LinkedHashMap<>();
    tree.put("seg/", null);
    tree.put("seg/a", TarDecoderRoundTripTest.randomBytes(new Random(1), 1000));
    tree.put("seg/empty", new byte[0]);
    tree.put("seg/" + "long/".repeat(30) + "name", new byte[] {1, 2});
    for (int longFileMode :
        new int[] {TarArchiveOutputStream.LONGFILE_GNU, TarArchiveOutputStream.LONGFILE_POSIX}) {
      byte[] tar = TarFixtures.tar(tree, longFileMode, TarArchiveOutputStream.BIGNUMBER_POSIX);
      int end = endMarkerOffset(tar);
      Random random = new Random(longFileMode);
      for (int cut = 0; cut < end; cut++) {
        byte[] prefix = Arrays.copyOf(tar, cut);
        TarDecoder decoder = new TarDecoder("s", new RecordingListener());
        int split = cut == 0 ? 0 : random.nextInt(cut);
        decoder.decode(ByteBuffer.wrap(prefix, 0, split));
        decoder.decode(ByteBuffer.wrap(prefix, split, cut - split));
        assertThat(decoder.isComplete()).isFalse();
        assertThatThrownBy(decoder::finish)
            .as("cut at %d of %d", cut, tar.length)
            .isInstanceOf(InvalidArchiveException.class)
            .hasMessageContaining("archive");
      }
      for (int cut = end; cut <= tar.length; cut += 97) {
        TarDecoder decoder = new TarDecoder("s", new RecordingListener());
        decoder.decode(ByteBuffer.wrap(tar, 0, cut));
        assertThatCode(decoder::finish).doesNotThrowAnyException();
        assertThat(decoder.entries()).isEqualTo(4);
      }
    }
  }

  @Test
  void theMessageSaysWhereTheArchiveWasCut() {
    byte[] tar =
        concat(
            header("seg/a", '0', 1000),
            new byte[1000],
            padding(1000), // 0..1536
            endOfArchive()); // 1536..2560
    assertThat(refusalAt(tar, 0))
        .contains("ends at byte 0 without its end-of-archive blocks, " + "before the first entry");
    assertThat(refusalAt(tar, 100)).contains("truncated in a header at byte 0");
    assertThat(refusalAt(tar, 512))
        .contains("truncated in the data of entry 'seg/a': 1000 of " + "1000 bytes missing");
    assertThat(refusalAt(tar, 1000))
        .contains("truncated in the data of entry 'seg/a': 512 of " + "1000 bytes missing");
    assertThat(refusalAt(tar, 1520)).contains("truncated in the padding after entry 'seg/a'");
    assertThat(refusalAt(tar, 1536))
        .contains("ends at byte 1536 without its end-of-archive " + "blocks, after entry 'seg/a'");
    assertThat(refusalAt(tar, 1600))
        .contains("truncated in a header at byte 1536, after entry " + "'seg/a'");
    assertThat(refusalAt(tar, 2048)).contains("missing its second end-of-archive block");

    byte[] longName = concat(TarFixtures.gnuLongName(new byte[700]), endOfArchive());
    assertThat(refusalAt(longName, 600))
        .contains("truncated in an extended header (type 'L') " + "at byte 0");
    byte[] afterLongName = concat(TarFixtures.gnuLongName("seg/x".getBytes()), endOfArchive());
    assertThat(refusalAt(afterLongName, 1024))
        .contains("ends after an extended header with no " + "entry");
  }

  private static String refusalAt(byte[] tar, int cut) {
    TarDecoder decoder = new TarDecoder("seg", new RecordingListener());
    decoder.decode(ByteBuffer.wrap(tar, 0, cut));
    InvalidArchiveException e = assertThrows(InvalidArchiveException.class, decoder::finish);
    assertThat(e.subject()).isEqualTo("seg");
    return e.getMessage();
  }

  /** The offset just after the second end-of-archive block, found by feeding byte by byte. */
  private static int endMarkerOffset(byte[] tar) {
    TarDecoder decoder = new TarDecoder("s", new RecordingListener());
    for (int i = 0; i < tar.length; i++) {
      decoder.decode(ByteBuffer.wrap(tar, i, 1));
      if (decoder.isComplete()) {
        assertThat((i + 1) % 512).isZero();
        return i + 1;
      }
    }
    throw new AssertionError("archive never completes");
  }
}
