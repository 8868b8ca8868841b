package io.segmenttransfer.server.launcher;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
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
 * main class). The application's 35,000 entries made that ~75 ms of every command's first JVM
 * (measured: a {@code Hello} main class run with {@code java -jar} from a copy of the application
 * jar took 195-241 ms, from a jar of its own 125-156 ms). The outer jar has a dozen entries, and
 * opening it again here to check the copy reads nothing new: the class loader holds it open.
 *
 * <p>Each run holds the directory's {@link InUseLock} and checks the copy's size against the nested
 * entry (a truncated copy is replaced). A copy is written under a temporary name, synced, and
 * renamed into place unless a concurrent first run got there first. A new unpack has {@link
 * CachePruner} remove other jars' directories that no JVM runs from. When the cache cannot be
 * written, the jar goes to a temporary directory deleted at exit, with a warning ({@code cached}
 * false: nothing made from it outlives the run, so no archive is worth making).
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

  /** Attempts when a pruner removes the directory while this JVM waits for its lock. */
  private static final int ATTEMPTS = 3;

  /** The default directory of the class-data-sharing archives made from this jar. */
  public Path archives() {
    return dir.resolve("cds");
  }

  /** Where the application keeps native libraries it would otherwise unpack on every run. */
  public Path natives() {
    return dir.resolve("native");
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
      Path dir = cache.resolve(DIR_PREFIX.concat(Fingerprint.ofFile(outerJar).hex()));
      try {
        return inCache(outer, entry, cache, dir);
      } catch (IOException cacheFailed) {
        System.err.println(
            "segment-transfer: warning: cannot use the cache "
                .concat(cache.toString())
                .concat(" (")
                .concat(describe(cacheFailed))
                .concat("): unpacking to a temporary directory for this run; -D")
                .concat(CACHE_PROPERTY)
                .concat("=DIR names another"));
        try {
          return inTemporaryDirectory(outer, entry);
        } catch (IOException temporaryFailed) {
          temporaryFailed.addSuppressed(cacheFailed);
          throw temporaryFailed;
        }
      }
    }
  }

  private static UnpackedApplication inCache(ZipFile outer, ZipEntry entry, Path cache, Path dir)
      throws IOException {
    Path jar = dir.resolve(FILE_NAME);
    try {
      holdLock(dir);
    } catch (IOException lockFailed) {
      // A cache this user can read but not write (a read-only mount, say): a whole copy is used
      // as it is; nothing can prune it, since pruning needs to write there too.
      if (isWhole(jar, entry)) {
        return new UnpackedApplication(jar, dir, true);
      }
      throw lockFailed;
    }
    if (isWhole(jar, entry)) {
      markUsed(dir);
      return new UnpackedApplication(jar, dir, true);
    }
    // Absent, or not the whole of it (a crash, a partial restore): written again.
    Files.deleteIfExists(jar);
    unpack(outer, entry, jar);
    CachePruner.prune(cache, dir);
    return new UnpackedApplication(jar, dir, true);
  }

  private static void holdLock(Path dir) throws IOException {
    for (int attempt = 1; !InUseLock.holdShared(dir); attempt++) {
      if (attempt == ATTEMPTS) {
        throw new IOException(dir.toString().concat(" keeps being removed while it is opened"));
      }
    }
  }

  private static boolean isWhole(Path jar, ZipEntry entry) throws IOException {
    return Files.isRegularFile(jar) && Files.size(jar) == entry.getSize();
  }

  private static void unpack(ZipFile outer, ZipEntry entry, Path jar) throws IOException {
    Path tmp =
        jar.resolveSibling(
            FILE_NAME
                .concat(".")
                .concat(Long.toString(ProcessHandle.current().pid()))
                .concat(".tmp"));
    try {
      try (InputStream in = outer.getInputStream(entry);
          FileOutputStream out = new FileOutputStream(tmp.toFile())) {
        in.transferTo(out);
        // On disk before it has its name: a crash leaves no short jar to be trusted later.
        out.getFD().sync();
      }
      try {
        Files.move(tmp, jar);
      } catch (FileAlreadyExistsException concurrentFirstRun) {
        // Another first run published its copy, which archives may already be named after.
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static UnpackedApplication inTemporaryDirectory(ZipFile outer, ZipEntry entry)
      throws IOException {
    Path dir = Files.createTempDirectory("segment-transfer-");
    Path jar = dir.resolve(FILE_NAME);
    // Deleted in reverse order of registration: the jar, then the directory.
    dir.toFile().deleteOnExit();
    jar.toFile().deleteOnExit();
    unpack(outer, entry, jar);
    return new UnpackedApplication(jar, dir, false);
  }

  private static String describe(IOException e) {
    String type = e.getClass().getSimpleName();
    return e.getMessage() == null ? type : type.concat(": ").concat(e.getMessage());
  }

  /** The directory's time is its last use, which {@link CachePruner} reads. */
  private static void markUsed(Path dir) {
    try {
      Files.setLastModifiedTime(dir, FileTime.fromMillis(System.currentTimeMillis()));
    } catch (IOException | RuntimeException e) {
      // A read-only cache: its directories only look older to the pruner.
    }
  }
}
