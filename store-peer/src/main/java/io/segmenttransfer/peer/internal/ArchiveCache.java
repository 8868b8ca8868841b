package io.segmenttransfer.peer.internal;

import io.segmenttransfer.core.archive.ArchiveTap;
import io.segmenttransfer.core.archive.Codec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Built peer archives on disk, so that a {@code Range} request (a client resuming) is served from
 * exactly the bytes an earlier response started with. Keyed by segment and CRC, so a reloaded
 * segment never serves a stale archive; bounded by total bytes, least recently used evicted first,
 * and an archive larger than the bound is not kept at all (its ranges are then served whole, see
 * PeerSegmentHandler).
 *
 * <p>All methods that touch files block: call them on a blocking-capable scheduler. An evicted file
 * that is still being served stays readable through its open channel (POSIX unlink).
 */
public final class ArchiveCache {

  private static final Logger LOG = LoggerFactory.getLogger(ArchiveCache.class);
  private static final String PART_PREFIX = ".part-";

  /** One cached archive: a segment version in one codec. */
  public record Key(String table, String segment, long crc, Codec codec) {}

  /** An open cached archive; the caller owns (and closes) the channel. */
  public record Opened(FileChannel channel, long size) {}

  private final Path directory;
  private final long maxBytes;
  private final Map<Key, Long> sizes = new LinkedHashMap<>(16, 0.75f, true);
  private final AtomicLong partSequence = new AtomicLong();
  private long totalBytes;

  /** Creates the directory and removes what an earlier process left there (blocking). */
  public ArchiveCache(Path directory, long maxBytes) {
    this.directory = directory.toAbsolutePath();
    this.maxBytes = maxBytes;
    try {
      Files.createDirectories(this.directory);
      try (Stream<Path> walk = Files.walk(this.directory)) {
        walk.sorted((a, b) -> b.getNameCount() - a.getNameCount())
            .filter(p -> !p.equals(this.directory))
            .forEach(ArchiveCache::deleteQuietly);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot prepare the peer archive cache in " + this.directory, e);
    }
  }

  /** The cached archive's size, without touching the disk; empty when not cached. */
  public synchronized OptionalLong size(Key key) {
    Long size = sizes.get(key);
    return size == null ? OptionalLong.empty() : OptionalLong.of(size);
  }

  /** Opens the cached archive (marking it recently used); empty when not cached. Blocking. */
  public synchronized Optional<Opened> open(Key key) throws IOException {
    Long size = sizes.get(key);
    if (size == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Opened(FileChannel.open(path(key), StandardOpenOption.READ), size));
    } catch (NoSuchFileException e) {
      // Removed behind our back: forget it and let the caller build it again.
      forget(key);
      return Optional.empty();
    }
  }

  /** Starts writing an archive into a private temporary file. Blocking. */
  public Writer writer(Key key) throws IOException {
    Path part = directory.resolve(PART_PREFIX + partSequence.incrementAndGet());
    return new Writer(
        key, part, FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
  }

  public synchronized long totalBytes() {
    return totalBytes;
  }

  public synchronized int entries() {
    return sizes.size();
  }

  private synchronized void add(Key key, Path part, long size) throws IOException {
    if (size > maxBytes) {
      deleteQuietly(part);
      return;
    }
    Path target = path(key);
    Files.createDirectories(target.getParent());
    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Long previous = sizes.put(key, size);
    totalBytes += size - (previous == null ? 0 : previous);
    // Evict the least recently used, never the archive just added (a Range request is waiting for
    // it).
    Iterator<Map.Entry<Key, Long>> eldest = sizes.entrySet().iterator();
    while (totalBytes > maxBytes && eldest.hasNext()) {
      Map.Entry<Key, Long> entry = eldest.next();
      if (entry.getKey().equals(key)) {
        continue;
      }
      totalBytes -= entry.getValue();
      eldest.remove();
      deleteQuietly(path(entry.getKey()));
    }
  }

  private synchronized void forget(Key key) {
    Long size = sizes.remove(key);
    if (size != null) {
      totalBytes -= size;
    }
  }

  private Path path(Key key) {
    return directory
        .resolve(key.table())
        .resolve(
            key.segment() + "-" + Long.toUnsignedString(key.crc()) + "." + key.codec().extension());
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      LOG.warn("Could not delete {} from the peer archive cache: {}", path, e.toString());
    }
  }

  /**
   * Receives an archive's chunks in order; {@link #commit()} publishes it, {@link #abort()} drops
   * it.
   */
  public final class Writer implements ArchiveTap {
    private final Key key;
    private final Path part;
    private final FileChannel channel;
    private long written;
    private boolean failed;

    private Writer(Key key, Path part, FileChannel channel) {
      this.key = key;
      this.part = part;
      this.channel = channel;
    }

    /**
     * Appends the chunk (its position is advanced). A failed write only loses the cached copy,
     * never the response being served, so it is logged and the copy abandoned.
     */
    @Override
    public void write(ByteBuffer chunk) {
      if (failed) {
        return;
      }
      try {
        while (chunk.hasRemaining()) {
          written += channel.write(chunk);
        }
      } catch (IOException e) {
        failed = true;
        LOG.warn("Caching the peer archive of {} failed: {}", key, e.toString());
      }
    }

    @Override
    public void commit() {
      try {
        channel.close();
        if (!failed) {
          add(key, part, written);
          return;
        }
      } catch (IOException e) {
        LOG.warn("Caching the peer archive of {} failed: {}", key, e.toString());
      }
      deleteQuietly(part);
    }

    @Override
    public void abort() {
      try {
        channel.close();
      } catch (IOException ignored) {
        // The part file is deleted next; nothing of it is kept.
      }
      deleteQuietly(part);
    }
  }
}
