package io.segmenttransfer.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Every regular file under a directory, by relative path, with its SHA-256: compares trees byte for
 * byte.
 */
public final class DirectorySnapshot {

  private DirectorySnapshot() {}

  /** Relative path ('/'-separated) to SHA-256; an empty map for a missing directory. */
  public static Map<String, String> of(Path dir) {
    Map<String, String> files = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return files;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (Files.isRegularFile(p)) {
          files.put(dir.relativize(p).toString().replace('\\', '/'), sha256(Files.readAllBytes(p)));
        } else if (Files.isDirectory(p) && !p.equals(dir)) {
          files.put(dir.relativize(p).toString().replace('\\', '/') + "/", "dir");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
