package io.segmenttransfer.core.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.segmenttransfer.core.archive.RecordingListener.Entry;
import io.segmenttransfer.core.archive.RecordingListener.Feed;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archives built by {@link TarEncoder}, read back by commons-compress, GNU tar and TarDecoder. */
class TarEncoderTest {

  private static final long MTIME = 1_700_000_123_456L;

  @TempDir Path dir;

  @Test
  void commonsCompressReadsWhatTheEncoderWrites() throws IOException {
    Map<String, byte[]> tree = TarDecoderRoundTripTest.randomTree(new Random(42));
    byte[] tar = encode(tree);

    List<Entry> read = new ArrayList<>();
    try (TarArchiveInputStream in =
        new TarArchiveInputStream(new ByteArrayInputStream(tar), "UTF-8")) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (e.isDirectory()) {
          assertThat(e.getName()).endsWith("/");
          assertThat(e.getMode() & 07777).isEqualTo(0755);
          read.add(Entry.dir(e.getName().substring(0, e.getName().length() - 1)));
        } else {
          assertThat(e.isFile()).isTrue();
          assertThat(e.getMode() & 07777).isEqualTo(0644);
          read.add(Entry.file(e.getName(), in.readAllBytes()));
        }
        assertThat(e.getLongUserId()).isZero();
        assertThat(e.getLongGroupId()).isZero();
        assertThat(e.getUserName()).isEmpty();
        assertThat(e.getGroupName()).isEmpty();
        assertThat(e.getLastModifiedTime().toMillis()).isEqualTo(MTIME / 1000 * 1000);
      }
    }
    assertThat(read).containsExactlyElementsOf(TarDecoderRoundTripTest.expected(tree));
  }

  @Test
  void theDecoderReadsWhatTheEncoderWrites() {
    Map<String, byte[]> tree = TarDecoderRoundTripTest.randomTree(new Random(43));
    byte[] tar = encode(tree);
    for (Feed feed : new Feed[] {Feed.WHOLE, Feed.ONE_BYTE, Feed.SMALL_RANDOM}) {
      assertThat(RecordingListener.decode(tar, feed, 5))
          .containsExactlyElementsOf(TarDecoderRoundTripTest.expected(tree));
    }
  }

  @Test
  void gnuTarListsAndExtractsWhatTheEncoderWrites() throws IOException {
    assumeTrue(GnuTar.available(), "GNU tar is not installed");
    Random random = new Random(44);
    Map<String, byte[]> tree = new LinkedHashMap<>();
    tree.put("seg/", null);
    tree.put("seg/v3/", null);
    tree.put("seg/v3/columns.psf", TarDecoderRoundTripTest.randomBytes(random, 70_000));
    tree.put("seg/v3/empty", new byte[0]);
    tree.put(TarDecoderRoundTripTest.pathOfLength("seg/", 150, random), new byte[] {1});
    tree.put(TarDecoderRoundTripTest.pathOfLength("seg/", 300, random), new byte[] {2});
    tree.put(TarDecoderRoundTripTest.pathOfLength("seg/", 200, random) + "/", null);
    tree.put("seg/" + "n".repeat(120), new byte[] {3});
    Files.write(dir.resolve("out.tar"), encode(tree));

    String listing = GnuTar.ok(dir, "-tvf", "out.tar").stdout();
    GnuTar.Result extract = GnuTar.ok(dir, "-xf", "out.tar", "--no-same-owner");

    assertThat(extract.stderr()).isEmpty();
    Path out = dir;
    for (Map.Entry<String, byte[]> e : tree.entrySet()) {
      assertThat(listing).contains(e.getKey());
      if (e.getKey().endsWith("/")) {
        assertThat(out.resolve(e.getKey())).isDirectory();
      } else {
        assertThat(Files.readAllBytes(out.resolve(e.getKey()))).isEqualTo(e.getValue());
      }
    }
    assertThat(listing).contains("-rw-r--r-- 0/0").contains("drwxr-xr-x 0/0");
  }

  @Test
  void shortAndPrefixableAsciiPathsNeedNoPaxHeader() {
    TarEncoder encoder = new TarEncoder();
    String name = "seg/" + "p".repeat(70) + "/" + "n".repeat(90);
    ByteBuffer header = encoder.fileHeader(name, 5, MTIME);

    assertThat(header.remaining()).isEqualTo(512);
    assertThat(header.get(156)).isEqualTo((byte) '0');
    assertThat(field(header, 0, 100)).isEqualTo("n".repeat(90));
    assertThat(field(header, 345, 155)).isEqualTo("seg/" + "p".repeat(70));
    assertThat(field(header, 257, 6)).isEqualTo("ustar");
    assertThat(field(header, 263, 2)).isEqualTo("00");
    assertThat(field(header, 124, 12)).isEqualTo("00000000005");

    ByteBuffer dirHeader = encoder.directoryHeader("seg/v3", MTIME);
    assertThat(dirHeader.remaining()).isEqualTo(512);
    assertThat(dirHeader.get(156)).isEqualTo((byte) '5');
    assertThat(field(dirHeader, 0, 100)).isEqualTo("seg/v3/");
    assertThat(field(dirHeader, 100, 8)).isEqualTo("0000755");
  }

  @Test
  void longUnicodeAndHugeEntriesGetPaxRecordsPathFirst() {
    TarEncoder encoder = new TarEncoder();
    String longName = "seg/" + "x".repeat(120);
    assertThat(paxRecords(encoder.fileHeader(longName, 1, MTIME)))
        .containsExactly("path=" + longName);
    assertThat(paxRecords(encoder.fileHeader("seg/ü", 1, MTIME))).containsExactly("path=seg/ü");
    assertThat(paxRecords(encoder.directoryHeader("seg/ü", MTIME))).containsExactly("path=seg/ü/");
    assertThat(paxRecords(encoder.fileHeader("seg/big", 1L << 33, MTIME)))
        .containsExactly("size=8589934592");
    String veryLong = "seg/" + "y".repeat(200);
    assertThat(paxRecords(encoder.fileHeader(veryLong, (1L << 33) + 1, MTIME)))
        .containsExactly("path=" + veryLong, "size=8589934593");
    // Record lengths that gain a digit by counting themselves ("99 path=<91 bytes>\n" is 100).
    for (int length = 80; length < 100; length++) {
      String name = "seg/" + "z".repeat(length) + "ü"; // non-ASCII, so always a PAX path
      assertThat(paxRecords(encoder.fileHeader(name, 0, MTIME))).containsExactly("path=" + name);
    }
    // Just under 8 GiB still fits the octal field.
    assertThat(encoder.fileHeader("seg/big", (1L << 33) - 1, MTIME).remaining()).isEqualTo(512);
  }

  @Test
  void paddingAndEnd() {
    assertThat(TarEncoder.padding(0).remaining()).isZero();
    assertThat(TarEncoder.padding(1).remaining()).isEqualTo(511);
    assertThat(TarEncoder.padding(512).remaining()).isZero();
    assertThat(TarEncoder.padding(513).remaining()).isEqualTo(511);
    assertThat(TarEncoder.padding((8L << 30) + 12_345).remaining()).isEqualTo(512 - 12_345 % 512);
    ByteBuffer end = new TarEncoder().end();
    assertThat(end.remaining()).isEqualTo(1024);
    byte[] bytes = new byte[1024];
    end.get(bytes);
    assertThat(bytes).containsOnly(0);
  }

  @Test
  void refusesPathsThatCannotBeExtractedSafely() {
    TarEncoder encoder = new TarEncoder();
    for (String bad : new String[] {"", "/abs", "a/../b", "..", "a//b", "a/", "./a", "a\0b"}) {
      assertThatThrownBy(() -> encoder.fileHeader(bad, 0, MTIME))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> encoder.fileHeader("a", -1, MTIME))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Writes the tree as the service does: header, data, padding for each entry, then the end. */
  static byte[] encode(Map<String, byte[]> tree) {
    TarEncoder encoder = new TarEncoder();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    tree.forEach(
        (path, content) -> {
          if (path.endsWith("/")) {
            write(out, encoder.directoryHeader(path.substring(0, path.length() - 1), MTIME));
          } else {
            write(out, encoder.fileHeader(path, content.length, MTIME));
            out.writeBytes(content);
            write(out, TarEncoder.padding(content.length));
          }
        });
    write(out, encoder.end());
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, ByteBuffer b) {
    assertThat(b.position()).isZero();
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    out.writeBytes(bytes);
  }

  /** The "key=value" records of the PAX header in front of an entry, each length verified. */
  private static List<String> paxRecords(ByteBuffer headers) {
    assertThat(headers.get(156)).isEqualTo((byte) 'x');
    int size = Integer.parseInt(field(headers, 124, 12), 8);
    assertThat(headers.remaining()).isEqualTo(512 + (size + 511) / 512 * 512 + 512);
    byte[] body = Arrays.copyOfRange(headers.array(), 512, 512 + size);
    List<String> records = new ArrayList<>();
    int at = 0;
    while (at < body.length) {
      int space = at;
      while (body[space] != ' ') {
        space++;
      }
      int length = Integer.parseInt(new String(body, at, space - at, StandardCharsets.US_ASCII));
      assertThat(body[at + length - 1]).isEqualTo((byte) '\n');
      records.add(new String(body, space + 1, at + length - space - 2, StandardCharsets.UTF_8));
      at += length;
    }
    return records;
  }

  private static String field(ByteBuffer header, int at, int length) {
    int end = at;
    while (end < at + length && header.get(end) != 0) {
      end++;
    }
    byte[] b = new byte[end - at];
    header.get(at, b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
