package io.segmenttransfer.core.archive;

import static org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.BIGNUMBER_POSIX;
import static org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.BIGNUMBER_STAR;
import static org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_GNU;
import static org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_POSIX;
import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.archive.RecordingListener.Entry;
import io.segmenttransfer.core.archive.RecordingListener.Feed;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Archives written by commons-compress in every long-name and big-number mode, cut every way. */
class TarDecoderRoundTripTest {

  /** commons-compress writing modes: long names, big numbers, PAX for non-ASCII names. */
  enum Writer {
    GNU_STAR(LONGFILE_GNU, BIGNUMBER_STAR, false),
    GNU_POSIX(LONGFILE_GNU, BIGNUMBER_POSIX, false),
    POSIX_POSIX(LONGFILE_POSIX, BIGNUMBER_POSIX, false),
    POSIX_STAR_PAX_UNICODE(LONGFILE_POSIX, BIGNUMBER_STAR, true);

    final int longFileMode;
    final int bigNumberMode;
    final boolean paxForNonAscii;

    Writer(int longFileMode, int bigNumberMode, boolean paxForNonAscii) {
      this.longFileMode = longFileMode;
      this.bigNumberMode = bigNumberMode;
      this.paxForNonAscii = paxForNonAscii;
    }

    byte[] write(Map<String, byte[]> tree) {
      return TarFixtures.tar(tree, longFileMode, bigNumberMode, paxForNonAscii);
    }
  }

  static Stream<Arguments> writersAndFeeds() {
    List<Arguments> all = new ArrayList<>();
    for (Writer w : Writer.values()) {
      for (Feed f : Feed.values()) {
        all.add(Arguments.of(w, f));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} fed {1}")
  @MethodSource("writersAndFeeds")
  void decodesTheTreeCommonsCompressWrote(Writer writer, Feed feed) {
    long seed = 1000L * writer.ordinal() + feed.ordinal();
    Map<String, byte[]> tree = randomTree(new Random(seed));
    byte[] tar = writer.write(tree);
    // The tree must have made the writer use its long-name encoding, or the test proves little.
    String marker = writer.longFileMode == LONGFILE_GNU ? "././@LongLink" : "PaxHeaders";
    assertThat(new String(tar, StandardCharsets.ISO_8859_1)).contains(marker);

    List<Entry> decoded = RecordingListener.decode(tar, feed, seed);

    assertThat(decoded).as("seed %d", seed).containsExactlyElementsOf(expected(tree));
  }

  @Test
  void treesOfManySeedsSurviveRandomChunking() {
    for (long seed = 0; seed < 12; seed++) {
      Map<String, byte[]> tree = randomTree(new Random(seed));
      Writer writer = Writer.values()[(int) (seed % Writer.values().length)];
      byte[] tar = writer.write(tree);
      assertThat(RecordingListener.decode(tar, Feed.SMALL_RANDOM, seed))
          .as("seed %d, %s", seed, writer)
          .containsExactlyElementsOf(expected(tree));
    }
  }

  @Test
  void fileDataIsAViewOfTheInputNotACopy() {
    Map<String, byte[]> tree = new LinkedHashMap<>();
    tree.put("seg/", null);
    tree.put("seg/a.bin", randomBytes(new Random(1), 70_000));
    byte[] tar = TarFixtures.tar(tree);
    List<ByteBuffer> views = new ArrayList<>();
    TarDecoder decoder =
        new TarDecoder(
            "s",
            new TarEntryListener() {
              @Override
              public void directory(String path) {}

              @Override
              public void fileStart(String path, long size) {}

              @Override
              public void fileData(ByteBuffer data) {
                assertThat(data.hasArray()).isTrue();
                assertThat(data.array()).isSameAs(tar);
                views.add(data.duplicate());
              }

              @Override
              public void fileEnd() {}
            });

    decoder.decode(ByteBuffer.wrap(tar));
    decoder.finish();

    assertThat(views).hasSize(1);
    assertThat(views.get(0).position()).isEqualTo(1024); // after the directory and file headers
    assertThat(views.get(0).remaining()).isEqualTo(70_000);
  }

  /**
   * A segment-like tree: nested directories, empty and binary files, names of 99/100/101/155/
   * 156/255/300 characters (each as file and directory), and non-ASCII names.
   */
  static Map<String, byte[]> randomTree(Random random) {
    Map<String, byte[]> tree = new LinkedHashMap<>();
    String root = "seg_" + random.nextInt(1000) + "/";
    tree.put(root, null);
    tree.put(root + "v3/", null);
    tree.put(root + "v3/columns.psf", randomBytes(random, 20_000 + random.nextInt(60_000)));
    tree.put(root + "v3/creation.meta", randomBytes(random, 24));
    tree.put(root + "v3/empty", new byte[0]);
    tree.put(root + "v3/block", randomBytes(random, 512));
    tree.put(root + "v3/block+1", randomBytes(random, 513));
    tree.put(root + "v3/block-1", randomBytes(random, 511));
    tree.put(root + "données/", null);
    tree.put(root + "données/日本語-файл-😀.bin", randomBytes(random, random.nextInt(3_000)));
    tree.put(root + "données/" + "é".repeat(60) + "/" + "ü".repeat(30), randomBytes(random, 7));
    for (int length : new int[] {99, 100, 101, 155, 156, 255, 300}) {
      tree.put(pathOfLength(root, length, random), randomBytes(random, random.nextInt(2000)));
      tree.put(pathOfLength(root, length - 1, random) + "/", null);
      tree.put(pathOfLength(root, length, random) + "/", null);
    }
    tree.put(root + "deep/" + "d/".repeat(40) + "leaf", randomBytes(random, 100));
    return tree;
  }

  /** What the decoder must report for the tree: directories lose their trailing slash. */
  static List<Entry> expected(Map<String, byte[]> tree) {
    List<Entry> entries = new ArrayList<>();
    tree.forEach(
        (path, content) ->
            entries.add(
                path.endsWith("/")
                    ? Entry.dir(path.substring(0, path.length() - 1))
                    : Entry.file(path, content)));
    return entries;
  }

  /** A path of exactly {@code length} characters under {@code root}, in random components. */
  static String pathOfLength(String root, int length, Random random) {
    StringBuilder path = new StringBuilder(root);
    while (length - path.length() > 41) {
      int component = 1 + random.nextInt(40);
      appendComponent(path, component, random);
      path.append('/');
    }
    appendComponent(path, length - path.length(), random);
    return path.toString();
  }

  private static void appendComponent(StringBuilder path, int length, Random random) {
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789_-";
    for (int i = 0; i < length; i++) {
      path.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
  }

  static byte[] randomBytes(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
