package io.segmenttransfer.core.archive.codec;

import com.github.luben.zstd.util.Native;
import com.github.luben.zstd.util.ZstdVersion;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * zstd-jni's native library loaded from a directory of ours when one is named ({@value
 * #DIR_PROPERTY}, which the runnable jar's launcher sets to a directory beside the unpacked
 * application): unpacked there once, then loaded directly on every later run.
 *
 * <p>Why: zstd-jni's own loading writes its ~0.9 MB library to a new temporary file on every run,
 * and the file's random name seeds the JVM's first {@code SecureRandom}: 23-31 ms of a cold {@code
 * extract}'s decoder thread before its first frame (class-load timelines, real segment).
 *
 * <p>The file is the resource zstd-jni itself would pick ({@link #resourceName}, its own rule),
 * written under a temporary name and renamed, and announced to zstd-jni with its public {@code
 * Native.assumeLoaded()}. Anything unexpected (no such resource on this platform, a directory that
 * cannot be written, a library that does not load) leaves the loading to zstd-jni, as without the
 * property.
 */
public final class ZstdNativeLibrary {

  public static final String DIR_PROPERTY = "segment-transfer.native.dir";

  private static final Logger LOG = Loggers.getLogger(ZstdNativeLibrary.class);

  private static boolean tried;

  private ZstdNativeLibrary() {}

  /** Before the first use of zstd-jni: loads the library from the named directory, if any. */
  static synchronized void ensureLoaded() {
    if (tried) {
      return;
    }
    tried = true;
    String dir = System.getProperty(DIR_PROPERTY);
    if (dir == null || dir.isBlank() || Native.isLoaded()) {
      return;
    }
    String resource =
        resourceName(
            System.getProperty("os.name"), System.getProperty("os.arch"), ZstdVersion.VERSION);
    Path library = null;
    try {
      library = unpacked(Path.of(dir), resource);
      if (library != null) {
        System.load(library.toString());
        Native.assumeLoaded();
      }
    } catch (UnsatisfiedLinkError e) {
      LOG.debug("zstd-jni's library in {} does not load, zstd-jni loads its own: {}", dir, e);
      forget(library);
    } catch (IOException | RuntimeException e) {
      LOG.debug("zstd-jni's library not unpacked in {}, zstd-jni loads its own: {}", dir, e);
    }
  }

  /** A copy that does not load is removed, so that the next run unpacks a good one. */
  private static void forget(@Nullable Path library) {
    if (library == null) {
      return;
    }
    try {
      Files.deleteIfExists(library);
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot remove {}: {}", library, e);
    }
  }

  /**
   * The library's file in {@code dir}, unpacked from {@code resource} if it is not there yet; null
   * when zstd-jni has no such resource (its own loading then decides).
   */
  static @Nullable Path unpacked(Path dir, String resource) throws IOException {
    Path library = dir.resolve(resource.substring(1).replace('/', '-'));
    if (Files.isRegularFile(library)) {
      return library;
    }
    try (InputStream in = Native.class.getResourceAsStream(resource)) {
      if (in == null) {
        return null;
      }
      Files.createDirectories(dir);
      Path tmp = dir.resolve(library.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
      try {
        try (FileOutputStream out = new FileOutputStream(tmp.toFile())) {
          in.transferTo(out);
          out.getFD().sync();
        }
        Files.move(tmp, library);
      } catch (FileAlreadyExistsException concurrentFirstRun) {
        // Another JVM published the same bytes first.
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    return library;
  }

  /**
   * zstd-jni's resource for a platform, by its own rule ({@code Native.resourceName()} in zstd-jni
   * 1.5.7): {@code /<os>/<arch>/libzstd-jni-<version>.<so|dylib|dll>}, the OS name lower-cased with
   * spaces as underscores, {@code win} and {@code darwin} for Windows and macOS, and {@code x86_64}
   * for {@code amd64} on macOS.
   */
  static String resourceName(String osName, String osArch, String version) {
    String os = osName.toLowerCase(Locale.ROOT).replace(' ', '_');
    if (os.startsWith("win")) {
      os = "win";
    } else if (os.startsWith("mac")) {
      os = "darwin";
    }
    String arch = os.equals("darwin") && osArch.equals("amd64") ? "x86_64" : osArch;
    String extension =
        os.contains("os_x") || os.contains("darwin") ? "dylib" : os.contains("win") ? "dll" : "so";
    return "/" + os + "/" + arch + "/libzstd-jni-" + version + "." + extension;
  }
}
