package io.segmenttransfer.core.archive;

import static io.segmenttransfer.core.archive.TarFixtures.concat;
import static io.segmenttransfer.core.archive.TarFixtures.endOfArchive;
import static io.segmenttransfer.core.archive.TarFixtures.header;
import static io.segmenttransfer.core.archive.TarFixtures.padding;
import static io.segmenttransfer.core.archive.TarFixtures.paxHeader;
import static io.segmenttransfer.core.archive.TarFixtures.paxRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.archive.RecordingListener.Entry;
import io.segmenttransfer.core.archive.RecordingListener.Feed;
import io.segmenttransfer.core.error.InvalidArchiveException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Hostile and malformed archives are refused whole, with a message naming the entry. */
class TarDecoderRefusalTest {

  static Stream<Arguments> hostileArchives() {
    byte[] nul = "seg/a\0b".getBytes(StandardCharsets.UTF_8);
    return Stream.of(
        Arguments.of(
            "symlink",
            TarFixtures.symlink("segment/link", "/etc/passwd"),
            "'segment/link' is a symbolic link to '/etc/passwd' (type '2')"),
        Arguments.of(
            "hard link",
            TarFixtures.hardLink("segment/hard", "/etc/shadow"),
            "'segment/hard' is a hard link to '/etc/shadow' (type '1')"),
        Arguments.of(
            "char device",
            TarFixtures.charDevice("segment/null"),
            "'segment/null' is a character device (type '3')"),
        Arguments.of(
            "block device",
            TarFixtures.blockDevice("segment/sda"),
            "'segment/sda' is a block device (type '4')"),
        Arguments.of(
            "fifo", TarFixtures.fifo("segment/pipe"), "'segment/pipe' is a FIFO (type '6')"),
        Arguments.of(
            "unknown type",
            TarFixtures.withType("segment/odd", (byte) 'Z'),
            "'segment/odd' is of an unsupported type (type 'Z')"),
        Arguments.of(
            "GNU sparse",
            TarFixtures.withType("segment/sparse", (byte) 'S'),
            "'segment/sparse' is a GNU sparse file (type 'S')"),
        Arguments.of(
            "dot-dot",
            TarFixtures.fileNamed("../evil", new byte[] {1}),
            "entry '../evil' escapes the target directory"),
        Arguments.of(
            "nested dot-dot",
            TarFixtures.fileNamed("a/../../evil", new byte[] {1}),
            "entry 'a/../../evil' escapes the target directory"),
        Arguments.of(
            "dot-dot at the end",
            TarFixtures.fileNamed("segment/..", new byte[] {1}),
            "entry 'segment/..' escapes the target directory"),
        Arguments.of(
            "absolute",
            TarFixtures.fileNamed("/etc/passwd", new byte[] {1}),
            "entry '/etc/passwd' escapes the target directory"),
        Arguments.of(
            "NUL in a PAX path",
            concat(paxHeader(paxRecord("path", "seg/a\0b")), header("x", '0', 0), endOfArchive()),
            "invalid entry name 'seg/a\\x00b'"),
        Arguments.of(
            "NUL in a GNU long name",
            concat(TarFixtures.gnuLongName(nul), header("x", '0', 0), endOfArchive()),
            "invalid entry name 'seg/a\\x00b'"),
        Arguments.of(
            "PAX path escaping",
            concat(
                paxHeader(paxRecord("path", "seg/../../x")),
                header("seg/x", '0', 0),
                endOfArchive()),
            "entry 'seg/../../x' escapes the target directory"),
        Arguments.of(
            "empty name",
            concat(header("", '0', 0), endOfArchive()),
            "invalid entry name '' (empty)"),
        Arguments.of(
            "file named .",
            concat(header("./.", '0', 0), endOfArchive()),
            "invalid entry name './.': a file cannot be the target directory"),
        Arguments.of(
            "directory with data",
            concat(header("seg/", '5', 1), new byte[512], endOfArchive()),
            "directory entry 'seg/' at byte 0 declares 1 bytes of data"),
        Arguments.of(
            "PAX GNU.sparse",
            concat(
                paxHeader(paxRecord("GNU.sparse.major", "1")),
                header("seg/s", '0', 0),
                endOfArchive()),
            "'seg/s' is a GNU sparse file"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileArchives")
  void refusesTheArchiveNamingTheEntry(String what, byte[] tar, String message) {
    for (Feed feed : new Feed[] {Feed.WHOLE, Feed.ONE_BYTE}) {
      assertThatThrownBy(() -> RecordingListener.decode(tar, feed, 1))
          .as("%s fed %s", what, feed)
          .isInstanceOf(InvalidArchiveException.class)
          .hasMessageStartingWith("segment test-segment: ")
          .hasMessageContaining(message);
    }
  }

  @Test
  void theDecoderIsUnusableAfterARefusal() {
    TarDecoder decoder = new TarDecoder("s", new RecordingListener());
    byte[] tar = TarFixtures.fileNamed("../evil", new byte[] {1});
    assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(tar)))
        .isInstanceOf(InvalidArchiveException.class);
    assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(new byte[1])))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(decoder::finish).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void refusesACorruptHeaderChecksum() {
    Map<String, byte[]> tree = new LinkedHashMap<>();
    tree.put("seg/", null);
    tree.put("seg/a", new byte[] {1, 2, 3});
    byte[] good = TarFixtures.tar(tree);
    for (int at : new int[] {0, 5, 148, 150, 300, 511, 512, 600, 512 + 148}) {
      byte[] bad = good.clone();
      bad[at] ^= 0x04;
      refuse(bad).hasMessageContaining("corrupt tar header at byte " + (at / 512 * 512));
    }
    byte[] bad = good.clone();
    bad[512 + 20] ^= 0x01;
    refuse(bad)
        .hasMessageContaining("corrupt tar header")
        .hasMessageContaining("after entry 'seg/'");
  }

  @Test
  void acceptsTheSignedChecksumOldTarsWrite() {
    byte[] h = header("seg/caf\u00e9", '0', 2); // a UTF-8 name has bytes over 0x7f
    long signed = 0;
    for (int i = 0; i < 512; i++) {
      signed += (i >= 148 && i < 156) ? ' ' : h[i];
    }
    byte[] field = String.format("%06o\0 ", signed).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(field, 0, h, 148, 8);
    byte[] tar = concat(h, new byte[] {7, 8}, padding(2), endOfArchive());

    assertThat(RecordingListener.decode(tar, Feed.WHOLE, 0))
        .containsExactly(Entry.file("seg/café", new byte[] {7, 8}));
  }

  @Test
  void refusesOversizedExtendedHeaders() {
    int size = TarDecoder.MAX_EXTENDED_HEADER_BYTES + 1;
    byte[] longName = concat(header("././@LongLink", 'L', size), new byte[1024]);
    refuse(longName)
        .hasMessageContaining(
            "extended header (type 'L') at byte 0 is " + size + " bytes, over the limit");
    byte[] pax = concat(header("PaxHeaders/x", 'x', size), new byte[1024]);
    refuse(pax).hasMessageContaining("extended header (type 'x')");

    // Exactly at the limit is fine.
    String name = "seg/" + "n/".repeat((TarDecoder.MAX_EXTENDED_HEADER_BYTES - 6) / 2) + "f";
    byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
    assertThat(bytes.length + 1).isLessThanOrEqualTo(TarDecoder.MAX_EXTENDED_HEADER_BYTES);
    byte[] tar = concat(TarFixtures.gnuLongName(bytes), header("x", '0', 0), endOfArchive());
    assertThat(RecordingListener.decode(tar, Feed.LARGE_RANDOM, 3))
        .containsExactly(Entry.file(name, new byte[0]));
  }

  @Test
  void refusesMalformedPaxRecords() {
    for (String records :
        List.of(
            "5 path=x\n",
            "12 path=abc",
            "x path=a\n",
            "9 pathabc\n",
            "99999999 path=a\n",
            "10 size=-1\n",
            "11 size=12a\n",
            "30 size=99999999999999999999\n")) {
      byte[] tar = concat(paxHeader(records), header("seg/f", '0', 0), endOfArchive());
      refuse(tar).as(records).hasMessageContaining("PAX header at byte 0");
    }
  }

  @Test
  void refusesHeadersAfterALoneZeroBlock() {
    byte[] tar =
        concat(header("seg/a", '0', 0), new byte[512], header("seg/b", '0', 0), endOfArchive());
    refuse(tar)
        .hasMessageContaining(
            "header at byte 1024 follows an end-of-archive block, after " + "entry 'seg/a'");
  }

  @Test
  void refusesAnExtendedHeaderWithNoEntry() {
    byte[] tar = concat(paxHeader(paxRecord("path", "seg/x")), endOfArchive());
    refuse(tar).hasMessageContaining("extended header is followed by the end of the archive");
  }

  @ParameterizedTest
  @EnumSource(
      value = Feed.class,
      names = {"WHOLE", "ONE_BYTE", "SMALL_RANDOM"})
  void normalisesHarmlessNameVariants(Feed feed) {
    byte[] tar =
        concat(
            header("./", '5', 0),
            header("./seg/", '5', 0),
            header(".//seg//v3///", '5', 0),
            header("seg/./v3/./a", '0', 1),
            new byte[] {9},
            padding(1),
            header("seg/dir-as-regular/", '0', 0),
            header("seg/old-style-dir/", (char) 0, 0),
            header("seg/contiguous", '7', 0),
            header("seg/v7-file", (char) 0, 0),
            paxHeader(paxRecord("path", "") + paxRecord("size", "") + paxRecord("mtime", "1.5")),
            header("seg/pax-empty-values", '0', 0),
            endOfArchive(),
            new byte[9000]); // record padding after the end is ignored

    assertThat(RecordingListener.decode(tar, feed, 11))
        .containsExactly(
            Entry.dir("seg"),
            Entry.dir("seg/v3"),
            Entry.file("seg/v3/a", new byte[] {9}),
            Entry.dir("seg/dir-as-regular"),
            Entry.dir("seg/old-style-dir"),
            Entry.file("seg/contiguous", new byte[0]),
            Entry.file("seg/v7-file", new byte[0]),
            Entry.file("seg/pax-empty-values", new byte[0]));
  }

  @Test
  void paxPathWinsOverGnuLongNameAndAppliesToOneEntry() {
    byte[] tar =
        concat(
            TarFixtures.gnuLongName("seg/from-gnu".getBytes(StandardCharsets.UTF_8)),
            paxHeader(paxRecord("path", "seg/from-pax-ü") + paxRecord("size", "3")),
            header("seg/from-header", '0', 1),
            new byte[] {1, 2, 3},
            padding(3),
            header("PaxHeaders/g", 'g', 0),
            header("././@LongLink", 'K', 0),
            header("seg/next", '0', 0),
            endOfArchive());

    assertThat(RecordingListener.decode(tar, Feed.ONE_BYTE, 0))
        .containsExactly(
            Entry.file("seg/from-pax-ü", new byte[] {1, 2, 3}),
            Entry.file("seg/next", new byte[0]));
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> refuse(byte[] tar) {
    return assertThatThrownBy(() -> RecordingListener.decode(tar, Feed.WHOLE, 0))
        .isInstanceOf(InvalidArchiveException.class);
  }
}
