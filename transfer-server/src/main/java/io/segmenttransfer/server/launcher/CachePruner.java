package io.segmenttransfer.server.launcher;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Removes other outer jars' unpacked applications from the cache, run when a new one is unpacked
 * (the only time the cache grows), so rebuilt and upgraded jars do not pile up: a directory goes
 * when no JVM runs from it ({@link InUseLock}) and it is either unused for a day or not among the
 * {@value #KEEP_RECENT} most recently used. Only directories this launcher made are candidates: an
 * {@code app-} name with 16 hex digits, holding the application's jar or the lock file.
 */
final class CachePruner {

  static final long UNUSED_MILLIS = TimeUnit.DAYS.toMillis(1);

  /** The most recently used directories kept, the one being run included. */
  static final int KEEP_RECENT = 3;

  private static final Pattern OURS =
      Pattern.compile(Pattern.quote(UnpackedApplication.DIR_PREFIX).concat("[0-9a-f]{16}"));

  private CachePruner() {}

  /** Best effort: what cannot be removed now is tried again at the next unpack. */
  static void prune(Path cache, Path current) {
    try {
      List<Candidate> others = new ArrayList<>();
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(cache)) {
        for (Path dir : dirs) {
          if (!dir.equals(current) && isOurs(dir)) {
            others.add(new Candidate(dir, Files.getLastModifiedTime(dir).toMillis()));
          }
        }
      }
      others.sort(Comparator.comparingLong(Candidate::lastUsed).reversed());
      long dayAgo = System.currentTimeMillis() - UNUSED_MILLIS;
      for (int i = 0; i < others.size(); i++) {
        Candidate other = others.get(i);
        if (i >= KEEP_RECENT - 1 || other.lastUsed() < dayAgo) {
          removeUnlessInUse(other.dir());
        }
      }
    } catch (IOException | RuntimeException e) {
      // A directory left behind is only disk space.
    }
  }

  private record Candidate(Path dir, long lastUsed) {}

  private static boolean isOurs(Path dir) {
    return OURS.matcher(dir.getFileName().toString()).matches()
        && Files.isDirectory(dir)
        && (Files.exists(dir.resolve(UnpackedApplication.FILE_NAME))
            || Files.exists(dir.resolve(InUseLock.FILE_NAME)));
  }

  private static void removeUnlessInUse(Path dir) {
    try {
      InUseLock.whenUnused(dir, () -> deleteTree(dir));
    } catch (IOException | RuntimeException e) {
      // Left for the next unpack.
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path visited, IOException e)
              throws IOException {
            Files.delete(visited);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
