package io.segmenttransfer.core.layout;

import io.segmenttransfer.core.error.SegmentWriteException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import org.jspecify.annotations.Nullable;

/**
 * Moves a verified segment directory into service with renames only, so that a crash at any point
 * leaves exactly the old or exactly the new copy after {@link #recover}:
 *
 * <ol>
 *   <li>{@code segment -> segment.segment.bak} (only when a copy exists)
 *   <li>{@code staged -> segment}
 *   <li>{@code segment.segment.bak -> segment.segment.tmp}: the swap is committed
 *   <li>delete {@code segment.segment.tmp}
 * </ol>
 *
 * A {@code .bak} found at startup means step 3 never ran: the old copy is restored. A {@code .tmp}
 * means it did: it is deleted. Files already open by readers stay readable through renames and
 * deletes (POSIX semantics), so queries on the old copy finish undisturbed.
 */
public final class SegmentSwap {

  private SegmentSwap() {}

  /** Hook for crash tests: called before each step; a test may throw or record. */
  public interface StepObserver {
    StepObserver NONE = step -> {};

    void before(String step);
  }

  /**
   * Moves {@code staged} to the segment's place, replacing any existing copy. Leftovers of an
   * interrupted swap are the caller's to {@link #recover} first (a reload holds a backup on purpose
   * while it downloads, so this never guesses).
   *
   * @return true when an existing copy was replaced
   */
  public static boolean moveIntoPlace(Path staged, SegmentPaths paths, StepObserver observer) {
    String subject = paths.segment().segmentName();
    try {
      Path target = paths.segmentDir();
      boolean replacing = Files.exists(target);
      if (replacing && Files.exists(paths.backupDir())) {
        throw new SegmentWriteException(
            subject,
            "an unfinished replace left "
                + paths.backupDir()
                + ": run recovery before replacing the segment",
            null);
      }
      if (replacing) {
        observer.before("backup");
        move(target, paths.backupDir());
      }
      observer.before("install");
      move(staged, target);
      if (replacing) {
        observer.before("commit");
        move(paths.backupDir(), paths.tempDir());
        observer.before("cleanup");
        deleteRecursively(paths.tempDir());
      }
      return replacing;
    } catch (IOException | UncheckedIOException e) {
      throw new SegmentWriteException(
          subject, "could not move the segment into " + paths.segmentDir(), e);
    }
  }

  /**
   * Finishes or rolls back an interrupted swap of this segment.
   *
   * @return what was done: "restored backup", "removed finished backup", or null when nothing was
   *     left
   */
  public static @Nullable String recover(SegmentPaths paths) throws IOException {
    String action = null;
    if (Files.exists(paths.backupDir())) {
      // The swap did not commit: whatever is at the segment's place is not trusted.
      deleteRecursively(paths.segmentDir());
      move(paths.backupDir(), paths.segmentDir());
      action = "restored backup";
    }
    if (Files.exists(paths.tempDir())) {
      deleteRecursively(paths.tempDir());
      action = action == null ? "removed finished backup" : action;
    }
    return action;
  }

  /**
   * An atomic rename: a crash leaves either the old name or the new one, never a half-moved tree.
   */
  public static void move(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Deletes a file or directory tree; a missing path is not an error. */
  public static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        path,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null && !(e instanceof NoSuchFileException)) {
              throw e;
            }
            deleteIfExists(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static void deleteIfExists(Path path) throws IOException {
    Files.deleteIfExists(path);
  }
}
