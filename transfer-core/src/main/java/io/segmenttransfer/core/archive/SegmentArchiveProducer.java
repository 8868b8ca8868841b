package io.segmenttransfer.core.archive;

import io.segmenttransfer.core.stream.ByteTransform;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Builds a segment's archive (tar, then the codec) chunk by chunk from its directory, holding one
 * input buffer, one output chunk and the compressor's state, whatever the segment size.
 *
 * <p>The bytes are a function of the files and the {@link ArchiveOptions} (level, layout and chunk
 * size, never the thread count) alone, so two peers holding the same segment CRC serve identical
 * archives and a client may resume from byte N of another peer ("archive format v2"; v1 was the
 * single-stream layout, before the parallel ones became the default): entries in sorted path order
 * with the segment directory first, every mtime the creation time from {@code creation.meta},
 * headers from {@link TarEncoder} (uid/gid 0, fixed modes), a deterministic gzip header, the
 * codecs' default levels, the parallel layouts with their default chunk size ({@link
 * io.segmenttransfer.core.archive.codec.ParallelSettings}), and input fed to the compressor in a
 * fixed pattern (each header, then file data in {@link #FEED_SIZE} pieces, then padding) with
 * output drained in fixed-size chunks. Only regular files and directories are archived; symbolic
 * links and other special files are left out.
 *
 * <p>Blocking (directory walk, file reads, compression): use it on a blocking-capable thread, one
 * thread at a time. {@link #close()} must always be called.
 */
public final class SegmentArchiveProducer implements AutoCloseable {

  /** Part of the v1 format: changing it changes the bytes, so it is not configurable. */
  public static final int FEED_SIZE = 64 * 1024;

  /** Output chunk size; also part of the v1 format. */
  public static final int CHUNK_SIZE = 64 * 1024;

  /**
   * The tag of this archive layout in ETags: a new one whenever the default bytes change, so a
   * client resuming with a cached range never splices two layouts.
   */
  public static final String FORMAT_VERSION = "v2";

  private record Entry(String archivePath, Path file, long size, boolean directory) {}

  private final String subject;
  private final TarEncoder tar = new TarEncoder();
  private final List<Entry> entries;
  private final long mtime;
  private final ByteTransform encoder;
  private final ArchiveTap cacheWriter;

  /**
   * Two file-data buffers used in turn: the encoder may still reference the last buffer offered
   * (and judges "consumed" by its position), so the next piece is read into the other one.
   */
  private final ByteBuffer[] feeds = {
    ByteBuffer.allocate(FEED_SIZE), ByteBuffer.allocate(FEED_SIZE)
  };

  private int nextFeed;
  private int nextEntry;
  private FileChannel channel;
  private Entry current;
  private long filePosition;
  private boolean endWritten;
  private boolean inputEnded;
  private boolean finished;
  private boolean committed;
  private long bytesOut;

  /**
   * @param directory the segment directory (its name in the archive is {@code segmentName})
   * @param creationTimeMs every entry's mtime: the segment's creation time, so the bytes depend on
   *     the files alone
   * @param tap receives a copy of every chunk and is committed once the archive is complete,
   *     aborted otherwise; null for none
   */
  public SegmentArchiveProducer(
      Path directory,
      String segmentName,
      long creationTimeMs,
      Codec codec,
      @Nullable ArchiveTap tap)
      throws IOException {
    this(directory, segmentName, creationTimeMs, codec, ArchiveOptions.defaults(codec), tap);
  }

  /** With the level and layout of {@code options}. */
  public SegmentArchiveProducer(
      Path directory,
      String segmentName,
      long creationTimeMs,
      Codec codec,
      ArchiveOptions options,
      @Nullable ArchiveTap tap)
      throws IOException {
    this.subject = segmentName;
    this.entries = list(directory, segmentName);
    this.mtime = creationTimeMs;
    this.cacheWriter = tap;
    this.encoder = options.newEncoder(codec, subject);
  }

  private static List<Entry> list(Path root, String segmentName) throws IOException {
    List<Entry> entries = new ArrayList<>();
    entries.add(new Entry(segmentName, root, 0, true));
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : (Iterable<Path>) walk::iterator) {
        if (path.equals(root)) {
          continue;
        }
        BasicFileAttributes attributes =
            Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String relative = root.relativize(path).toString().replace('\\', '/');
        String archivePath = segmentName + "/" + relative;
        if (attributes.isDirectory()) {
          entries.add(new Entry(archivePath, path, 0, true));
        } else if (attributes.isRegularFile()) {
          entries.add(new Entry(archivePath, path, attributes.size(), false));
        }
      }
    }
    // Directories sort with a trailing '/', as they appear in the archive; the root is a prefix of
    // all.
    entries.sort(
        Comparator.comparing(e -> e.directory() ? e.archivePath() + "/" : e.archivePath()));
    return entries;
  }

  /** The next compressed chunk (a new heap buffer the caller owns), or null after the last one. */
  public @Nullable ByteBuffer next() throws IOException {
    if (finished) {
      return null;
    }
    ByteBuffer out = ByteBuffer.allocate(CHUNK_SIZE);
    int n = read(out);
    return n > 0 ? out.flip() : null;
  }

  /**
   * Writes the next compressed bytes into {@code out} from its position, up to {@link #CHUNK_SIZE}
   * of them (less only for the last chunk) and never past its limit: the same chunks as {@link
   * #next()} for a buffer with that much room. The caller owns the buffer, so it may be a pooled
   * direct one that a socket or the tap's file takes without a copy.
   *
   * @return the bytes written, or -1 after the last chunk
   */
  public int read(ByteBuffer out) throws IOException {
    if (finished) {
      return -1;
    }
    int start = out.position();
    ByteBuffer room = out.slice().limit(Math.min(out.remaining(), CHUNK_SIZE));
    while (room.hasRemaining()) {
      int n = encoder.read(room);
      if (n < 0) {
        finished = true;
        break;
      }
      if (n == 0) {
        if (!feed()) {
          if (inputEnded) {
            throw new IllegalStateException(
                "compressor of " + subject + " neither produced nor finished");
          }
          inputEnded = true;
          encoder.endOfInput();
        }
      }
    }
    int written = room.position();
    out.position(start + written);
    if (written > 0) {
      bytesOut += written;
      if (cacheWriter != null) {
        cacheWriter.write(room.flip());
      }
    }
    if (finished && cacheWriter != null && !committed) {
      // Published before the last signal goes out: whoever sees this stream complete finds it
      // cached.
      committed = true;
      cacheWriter.commit();
    }
    return written > 0 ? written : (finished ? -1 : 0);
  }

  /** Offers the encoder the next piece of tar; false when the tar is complete. */
  private boolean feed() throws IOException {
    while (true) {
      if (current != null) {
        long remaining = current.size() - filePosition;
        if (remaining > 0) {
          ByteBuffer feed = feeds[nextFeed];
          nextFeed ^= 1;
          feed.clear().limit((int) Math.min(FEED_SIZE, remaining));
          while (feed.hasRemaining()) {
            int n = channel.read(feed, filePosition);
            if (n < 0) {
              throw new IOException(current.file() + " shrank while it was archived");
            }
            filePosition += n;
          }
          encoder.offer(feed.flip());
          return true;
        }
        long size = current.size();
        closeChannel();
        current = null;
        ByteBuffer padding = TarEncoder.padding(size);
        if (padding.hasRemaining()) {
          encoder.offer(padding);
          return true;
        }
      }
      if (nextEntry < entries.size()) {
        Entry entry = entries.get(nextEntry++);
        if (entry.directory()) {
          encoder.offer(tar.directoryHeader(entry.archivePath(), mtime));
          return true;
        }
        channel = FileChannel.open(entry.file(), StandardOpenOption.READ);
        current = entry;
        filePosition = 0;
        encoder.offer(tar.fileHeader(entry.archivePath(), entry.size(), mtime));
        return true;
      }
      if (!endWritten) {
        endWritten = true;
        encoder.offer(tar.end());
        return true;
      }
      return false;
    }
  }

  public long bytesOut() {
    return bytesOut;
  }

  /**
   * Releases the file and the compressor; drops the cache copy unless the archive was completed.
   */
  @Override
  public void close() {
    closeChannel();
    encoder.close();
    if (cacheWriter != null && !committed) {
      cacheWriter.abort();
    }
  }

  private void closeChannel() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // A read-only channel loses nothing on a failed close.
      }
      channel = null;
    }
  }
}
