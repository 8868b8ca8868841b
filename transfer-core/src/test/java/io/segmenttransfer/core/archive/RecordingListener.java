package io.segmenttransfer.core.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * A {@link TarEntryListener} that records every entry with its content's SHA-256 (and, up to a
 * bound, the content), checking the callback order as it goes; plus the ways tests feed a decoder.
 */
final class RecordingListener implements TarEntryListener {

  /** One decoded entry; {@code sha256} is null for directories. */
  record Entry(String path, boolean directory, long size, String sha256) {
    static Entry dir(String path) {
      return new Entry(path, true, 0, null);
    }

    static Entry file(String path, byte[] content) {
      return new Entry(path, false, content.length, RecordingListener.sha256(content));
    }
  }

  final List<Entry> entries = new ArrayList<>();
  private String current;
  private long declared;
  private long seen;
  private MessageDigest digest;

  @Override
  public void directory(String path) {
    assertThat(current).as("directory inside file %s", current).isNull();
    entries.add(Entry.dir(path));
  }

  @Override
  public void fileStart(String path, long size) {
    assertThat(current).as("fileStart inside file %s", current).isNull();
    current = path;
    declared = size;
    seen = 0;
    digest = newDigest();
  }

  @Override
  public void fileData(ByteBuffer data) {
    assertThat(current).as("fileData outside a file").isNotNull();
    assertThat(data.hasRemaining()).as("empty fileData").isTrue();
    seen += data.remaining();
    assertThat(seen).as("data of %s beyond its size", current).isLessThanOrEqualTo(declared);
    digest.update(data);
  }

  @Override
  public void fileEnd() {
    assertThat(current).as("fileEnd outside a file").isNotNull();
    assertThat(seen).as("data of %s", current).isEqualTo(declared);
    entries.add(new Entry(current, false, declared, HexFormat.of().formatHex(digest.digest())));
    current = null;
  }

  static String sha256(byte[] content) {
    return HexFormat.of().formatHex(newDigest().digest(content));
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** How the bytes of an archive are cut into chunks and handed over. */
  enum Feed {
    WHOLE,
    ONE_BYTE,
    SMALL_RANDOM,
    LARGE_RANDOM,
    /** One reused buffer, refilled for every chunk, as a decompressor's output buffer is. */
    REUSED_BUFFER,
    /** Direct buffers, as network and native decompressors hand over. */
    DIRECT,
    /** Heap views at a non-zero array offset. */
    OFFSET_SLICES
  }

  /** Decodes {@code tar} fed as {@code feed} says, then finishes; returns the entries seen. */
  static List<Entry> decode(byte[] tar, Feed feed, long seed) {
    RecordingListener listener = new RecordingListener();
    TarDecoder decoder = new TarDecoder("test-segment", listener);
    feed(decoder, tar, feed, seed);
    decoder.finish();
    assertThat(decoder.isComplete()).isTrue();
    assertThat(decoder.entries()).isEqualTo(listener.entries.size());
    return listener.entries;
  }

  /** Feeds every byte of {@code tar} to the decoder, checking each chunk is consumed. */
  static void feed(TarDecoder decoder, byte[] tar, Feed feed, long seed) {
    Random random = new Random(seed);
    ByteBuffer reused = ByteBuffer.allocate(4096);
    int at = 0;
    while (at < tar.length) {
      int n =
          switch (feed) {
            case WHOLE -> tar.length;
            case ONE_BYTE -> 1;
            case SMALL_RANDOM, REUSED_BUFFER ->
                1 + random.nextInt(random.nextBoolean() ? 16 : 1200);
            case LARGE_RANDOM, DIRECT, OFFSET_SLICES -> 1 + random.nextInt(100_000);
          };
      n = Math.min(n, tar.length - at);
      ByteBuffer chunk;
      switch (feed) {
        case REUSED_BUFFER -> {
          n = Math.min(n, reused.capacity() - 7);
          int start = random.nextInt(7);
          reused.clear().position(start);
          reused.put(tar, at, n);
          chunk = reused.limit(start + n).position(start);
        }
        case DIRECT -> {
          chunk = ByteBuffer.allocateDirect(n);
          chunk.put(tar, at, n).flip();
        }
        case OFFSET_SLICES -> {
          byte[] wide = new byte[n + 20];
          System.arraycopy(tar, at, wide, 10, n);
          chunk = ByteBuffer.wrap(wide, 3, n + 14).slice().position(7).limit(7 + n);
        }
        default -> chunk = ByteBuffer.wrap(tar, at, n);
      }
      decoder.decode(chunk);
      assertThat(chunk.hasRemaining()).as("chunk fully consumed").isFalse();
      at += n;
    }
  }

  static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toByteArray();
  }
}
