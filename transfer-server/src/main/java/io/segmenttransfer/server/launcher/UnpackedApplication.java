package io.segmenttransfer.server.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The application's jar, nested in {@code segment-transfer.jar} as {@value #ENTRY} and unpacked
 * once per outer jar into {@code ~/.cache/segment-transfer/app-<fingerprint>/} ({@code
 * -Dsegment-transfer.cache.dir} to move the cache), beside the class-data-sharing archives made
 * from it ({@link #archives()}).
 *
 * <p>Why nested: the JVM reads a jar's whole central directory when it opens it, and {@code java
 * -jar} opens the jar it runs twice before {@code main} (once for the manifest, once to load the
 * main class). The application's 35,000 entries made that ~80 ms of every command's first JVM
 * (measured: a {@code Hello} main class run with {@code java -jar} from a copy of the application
 * jar took 195-241 ms, from a jar of its own 125-156 ms). The outer jar has a dozen entries.
 *
 * <p>Unpacked under a temporary name and renamed into place, so a concurrent first run never sees
 * half a jar. A new unpack removes the directories of outer jars not run for a day ({@link
 * #UNUSED_MILLIS}), so rebuilt and upgraded jars do not pile up in the cache. When the cache cannot
 * be written, the jar goes to a temporary directory deleted at exit ({@code cached} false: nothing
 * made from it outlives the run, so no archive is worth making).
 *
 * <p>The cache holds code this launcher runs, found by a predictable name: it must be a directory
 * no other user can write, as the default under the user's home is (the README says so for {@code
 * -Dsegment-transfer.cache.dir}).
 */
public record UnpackedApplication(Path jar, Path dir, boolean cached) {

  /** Where the build puts the application's jar in {@code segment-transfer.jar}. */
  public static final String ENTRY = "lib/segment-transfer-app.jar";

  static final String FILE_NAME = "segment-transfer-app.jar";
  static final String CACHE_PROPERTY = "segment-transfer.cache.dir";
  static final String DIR_PREFIX = "app-";
  static final long UNUSED_MILLIS = TimeUnit.DAYS.toMillis(1);

  /** The default directory of the class-data-sharing archives made from this jar. */
  public Path archives() {
    return dir.resolve("cds");
  }

  /**
   * The unpacked jar of {@code outerJar}, unpacking it when this outer jar was not run before.
   *
   * @throws IOException when the outer jar holds no application jar, or it cannot be unpacked
   *     anywhere
   */
  public static UnpackedApplication of(Path outerJar) throws IOException {
    return of(
        outerJar,
        Path.of(
            System.getProperty(
                CACHE_PROPERTY,
                Path.of(System.getProperty("user.home"), ".cache", "segment-transfer")
                    .toString())));
  }

  static UnpackedApplication of(Path outerJar, Path cache) throws IOException {
    Path dir = cache.resolve(DIR_PREFIX.concat(Fingerprint.ofFile(outerJar).hex()));
    Path jar = dir.resolve(FILE_NAME);
    if (Files.isRegularFile(jar)) {
      markUsed(dir);
      return new UnpackedApplication(jar, dir, true);
    }
    try {
      Files.createDirectories(dir);
      unpack(outerJar, jar);
    } catch (IOException cacheNotWritable) {
      if (!hasEntry(outerJar)) {
        throw cacheNotWritable;
      }
      return intoTemporaryDirectory(outerJar);
    }
    pruneUnused(cache, dir);
    return new UnpackedApplication(jar, dir, true);
  }

  private static void unpack(Path outerJar, Path jar) throws IOException {
    Path tmp =
        jar.resolveSibling(
            FILE_NAME
                .concat(".")
                .concat(Long.toString(ProcessHandle.current().pid()))
                .concat(".tmp"));
    try (ZipFile outer = new ZipFile(outerJar.toFile())) {
      ZipEntry entry = outer.getEntry(ENTRY);
      if (entry == null) {
        throw new IOException(
            outerJar
                .toString()
                .concat(" holds no ")
                .concat(ENTRY)
                .concat(": it is not a segment-transfer.jar built by 'mvn package'"));
      }
      try (InputStream in = outer.getInputStream(entry)) {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      }
      Files.move(tmp, jar, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static boolean hasEntry(Path outerJar) {
    try (ZipFile outer = new ZipFile(outerJar.toFile())) {
      return outer.getEntry(ENTRY) != null;
    } catch (IOException e) {
      return false;
    }
  }

  private static UnpackedApplication intoTemporaryDirectory(Path outerJar) throws IOException {
    Path dir = Files.createTempDirectory("segment-transfer-");
    Path jar = dir.resolve(FILE_NAME);
    // Deleted in reverse order of registration: the jar (and archive dir), then the directory.
    dir.toFile().deleteOnExit();
    jar.toFile().deleteOnExit();
    unpack(outerJar, jar);
    return new UnpackedApplication(jar, dir, false);
  }

  /** The directory's time is its last use, which {@link #pruneUnused} reads. */
  private static void markUsed(Path dir) {
    try {
      Files.setLastModifiedTime(dir, FileTime.fromMillis(System.currentTimeMillis()));
    } catch (IOException | RuntimeException e) {
      // A read-only cache: it is only never pruned.
    }
  }

  /**
   * Removes other outer jars' directories unused for a day. A JVM still running from one keeps its
   * open jar (the file system frees it when closed); its next run unpacks it again.
   */
  static void pruneUnused(Path cache, Path keep) {
    long before = System.currentTimeMillis() - UNUSED_MILLIS;
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(cache, DIR_PREFIX.concat("*"))) {
      for (Path dir : dirs) {
        if (!dir.equals(keep)
            && Files.isDirectory(dir)
            && Files.getLastModifiedTime(dir).toMillis() < before) {
          deleteTree(dir);
        }
      }
    } catch (IOException | RuntimeException e) {
      // Best effort: a directory left behind is only disk space, removed by a later unpack.
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
