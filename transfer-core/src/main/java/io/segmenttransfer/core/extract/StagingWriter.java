package io.segmenttransfer.core.extract;

import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.error.SegmentWriteException;
import io.segmenttransfer.core.segment.CreationMeta;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Adler32;

/**
 * The writer stage: applies {@link WriteBatch} operations under the staging directory, computing
 * each file's Adler-32 as its bytes pass, and keeping the bytes of every {@code creation.meta} (24
 * bytes) so nothing is read back from disk afterwards.
 *
 * <p>Runs on one scheduler worker at a time; {@link #abort()} may come from a cancelling thread,
 * hence the lock, which makes sure no file is created after the staging directory was deleted.
 */
final class StagingWriter {

  private static final int MAX_CREATION_META = 64;

  private final String subject;
  private final Path root;
  private final BufferPool pool;
  private final Adler32 adler = new Adler32();
  private final List<ExtractedFile> files = new ArrayList<>();
  private final Map<String, byte[]> creationMetas = new HashMap<>();

  private FileChannel channel;
  private String openPath;
  private long openSize;
  private long written;
  private ByteBuffer capture;
  private long bytesWritten;
  private long busyNanos;
  private boolean aborted;

  StagingWriter(String subject, Path root, BufferPool pool) {
    this.subject = subject;
    this.root = root;
    this.pool = pool;
  }

  synchronized void write(WriteBatch batch) {
    long started = System.nanoTime();
    try {
      if (aborted) {
        return;
      }
      for (WriteBatch.WriteOp op : batch.ops()) {
        apply(op);
      }
    } catch (IOException e) {
      throw new SegmentWriteException(
          subject,
          "could not write " + (openPath == null ? "under " + root : root.resolve(openPath)),
          e);
    } finally {
      pool.release(batch.buffer());
      busyNanos += System.nanoTime() - started;
    }
  }

  private void apply(WriteBatch.WriteOp op) throws IOException {
    if (op instanceof WriteBatch.Write w) {
      ByteBuffer data = w.data();
      adler.update(data.duplicate());
      if (capture != null) {
        ByteBuffer view = data.duplicate();
        view.limit(view.position() + Math.min(view.remaining(), capture.remaining()));
        capture.put(view);
      }
      int n = data.remaining();
      while (data.hasRemaining()) {
        channel.write(data);
      }
      written += n;
      bytesWritten += n;
    } else if (op instanceof WriteBatch.OpenFile open) {
      Path file = root.resolve(open.path());
      Files.createDirectories(file.getParent());
      try {
        channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException e) {
        throw new InvalidArchiveException(subject, "duplicate entry '" + open.path() + "'", e);
      }
      openPath = open.path();
      openSize = open.size();
      written = 0;
      adler.reset();
      capture = isCreationMeta(open.path()) ? ByteBuffer.allocate(MAX_CREATION_META) : null;
    } else if (op instanceof WriteBatch.CloseFile) {
      channel.close();
      channel = null;
      if (written != openSize) {
        throw new InvalidArchiveException(
            subject, "entry '" + openPath + "' has " + written + " of its " + openSize + " bytes");
      }
      files.add(new ExtractedFile(openPath, openSize, adler.getValue()));
      if (capture != null) {
        creationMetas.put(openPath, java.util.Arrays.copyOf(capture.array(), capture.position()));
        capture = null;
      }
      openPath = null;
    } else if (op instanceof WriteBatch.MakeDirectory dir) {
      Path path = root.resolve(dir.path());
      if (Files.isRegularFile(path)) {
        throw new InvalidArchiveException(
            subject, "directory entry '" + dir.path() + "' clashes with a file");
      }
      Files.createDirectories(path);
    }
  }

  private static boolean isCreationMeta(String path) {
    return path.endsWith("/" + CreationMeta.FILE_NAME);
  }

  /** Stops writing for good and closes the open file; later batches are dropped. */
  synchronized void abort() {
    aborted = true;
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // The staging directory is deleted next; a close failure changes nothing.
      }
      channel = null;
    }
  }

  /** Files written, with archive paths (top-level directory included). */
  List<ExtractedFile> files() {
    return files;
  }

  /** {@code creation.meta} bytes by archive path. */
  Map<String, byte[]> creationMetas() {
    return creationMetas;
  }

  long bytesWritten() {
    return bytesWritten;
  }

  long busyNanos() {
    return busyNanos;
  }
}
