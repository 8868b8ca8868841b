package io.segmenttransfer.core.archive;

import io.segmenttransfer.core.error.ArchiveLimitExceededException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A {@link TarEntryListener} that keeps, in memory, the files a predicate selects and ignores the
 * rest: the few small files (metadata, {@code creation.meta}) a reader wants out of an archive
 * whose bytes go elsewhere. Each kept file is capped, so what one archive can make us hold is
 * bounded by the number of selected paths times the cap.
 *
 * <p>Not thread-safe: fed by one tar parser.
 */
public final class SmallFileCollector implements TarEntryListener {

  private final String subject;
  private final Predicate<String> wanted;
  private final int maxFileBytes;
  private final Map<String, byte[]> files = new LinkedHashMap<>();
  private String path;
  private byte[] capture;
  private int captured;

  /**
   * @param subject what the archive is, for error messages
   * @param wanted selects files by archive path (top-level directory included)
   * @param maxFileBytes the largest file kept; a selected file over it refuses the archive with
   *     {@code ArchiveLimitExceededException}
   */
  public SmallFileCollector(String subject, Predicate<String> wanted, int maxFileBytes) {
    if (maxFileBytes < 0) {
      throw new IllegalArgumentException("maxFileBytes must not be negative, was " + maxFileBytes);
    }
    this.subject = subject;
    this.wanted = wanted;
    this.maxFileBytes = maxFileBytes;
  }

  /** The kept files by archive path, in archive order; a path repeated keeps its last copy. */
  public Map<String, byte[]> files() {
    return files;
  }

  @Override
  public void directory(String directory) {
    // Directories hold nothing to keep.
  }

  @Override
  public void fileStart(String file, long size) {
    capture = null;
    if (!wanted.test(file)) {
      return;
    }
    if (size > maxFileBytes) {
      throw new ArchiveLimitExceededException(
          subject,
          "entry '"
              + file
              + "' is "
              + size
              + " bytes, over the "
              + maxFileBytes
              + " bytes kept in memory");
    }
    path = file;
    capture = new byte[(int) size];
    captured = 0;
  }

  @Override
  public void fileData(ByteBuffer data) {
    if (capture != null) {
      int n = data.remaining();
      data.get(capture, captured, n);
      captured += n;
    }
  }

  @Override
  public void fileEnd() {
    if (capture != null) {
      files.put(path, captured == capture.length ? capture : Arrays.copyOf(capture, captured));
      capture = null;
    }
  }
}
