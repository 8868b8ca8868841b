package io.segmenttransfer.core.extract;

import io.segmenttransfer.core.archive.ArchiveLimits;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.TarEntryListener;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * Reads the entries of a segment archive as its bytes stream past, without writing anything to
 * disk: the extraction pipeline's own decoder ({@link ArchiveDecoder}: codec sniffed from magic
 * bytes, decompression, the tar parser's path checks, one top-level directory named like a segment,
 * and the {@link ArchiveLimits}), with the entries handed to a {@link TarEntryListener} instead of
 * the staging writer. It is for callers that need a few small files out of an archive whose bytes
 * go elsewhere: the controller's tar push keeps {@code metadata.properties} and {@code
 * creation.meta} while the archive streams into the deep store, and a hostile push is bounded
 * exactly as a download is.
 *
 * <p>Push-driven and synchronous: {@link #accept} decodes everything a chunk makes available before
 * it returns, one decoded buffer at a time, and each buffer is checked against the limits before
 * the next is produced, so a small chunk of a decompression bomb fails at the limit instead of
 * expanding in memory. Memory: one decoded buffer and the decompressor's window, whatever the
 * archive's size. Decoding is CPU work: call it off event loops.
 *
 * <p>Not thread-safe: one archive, fed in order by one caller; {@link #close()} may come from
 * another thread (a cancel).
 */
public final class ArchiveEntriesReader implements AutoCloseable {

  /** Decoded bytes handed to the listener at a time. */
  public static final int DEFAULT_BUFFER_SIZE = 64 * 1024;

  private final ArchiveDecoder decoder;
  private final BufferPool pool;
  private final TarEntryListener listener;
  private long archiveBytes;

  /**
   * @param subject what the archive is, for error messages (a segment, an upload)
   * @param limits what the archive may hold; over them, {@code ArchiveLimitExceededException}
   * @param listener receives every entry in archive order; its exceptions end the read
   */
  public ArchiveEntriesReader(String subject, ArchiveLimits limits, TarEntryListener listener) {
    this.pool = new BufferPool(DEFAULT_BUFFER_SIZE, 1);
    this.decoder = new ArchiveDecoder(subject, null, limits, pool);
    this.listener = listener;
  }

  /**
   * Reads the next chunk of archive bytes. The chunk's position and contents are left as they are,
   * so the same buffer can go on to a store.
   *
   * @throws io.segmenttransfer.core.error.InvalidArchiveException when the bytes are not a valid
   *     segment archive (unknown format, corrupt stream, a path escaping the segment directory)
   * @throws io.segmenttransfer.core.error.ArchiveLimitExceededException when it goes over the
   *     limits
   */
  public void accept(ByteBuffer chunk) {
    archiveBytes += chunk.remaining();
    drain(decoder.decode(chunk.duplicate()));
  }

  /**
   * Declares the end of the archive and reads what is left; completes only for a whole archive
   * (complete compressed stream and tar end, at least one entry).
   *
   * @throws io.segmenttransfer.core.error.InvalidArchiveException when it was truncated or empty
   */
  public void finish() {
    drain(decoder.finish());
  }

  /** The codec, once the first bytes were seen; null before. */
  public @Nullable Codec codec() {
    return decoder.codec();
  }

  /** Archive bytes accepted so far: the archive's size once {@link #finish()} returned. */
  public long archiveBytes() {
    return archiveBytes;
  }

  /**
   * The archive's single top-level directory (the segment's name), once its first entry was
   * decoded; null before. Entries are parsed a decoded buffer at a time, so that is at most {@link
   * #DEFAULT_BUFFER_SIZE} decoded bytes after its header arrived, or at {@link #finish()}.
   */
  public @Nullable String topDirectory() {
    return decoder.topDirectory();
  }

  /** Releases the decompressor; safe at any time and more than once. */
  @Override
  public void close() {
    decoder.close();
  }

  private void drain(Iterable<WriteBatch> batches) {
    for (WriteBatch batch : batches) {
      try {
        for (WriteBatch.WriteOp op : batch.ops()) {
          if (op instanceof WriteBatch.Write write) {
            listener.fileData(write.data());
          } else if (op instanceof WriteBatch.OpenFile open) {
            listener.fileStart(open.path(), open.size());
          } else if (op instanceof WriteBatch.CloseFile) {
            listener.fileEnd();
          } else if (op instanceof WriteBatch.MakeDirectory directory) {
            listener.directory(directory.path());
          }
        }
      } finally {
        pool.release(batch.buffer());
      }
    }
  }
}
