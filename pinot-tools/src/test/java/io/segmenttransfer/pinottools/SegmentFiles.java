package io.segmenttransfer.pinottools;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The files under a directory as relative path to SHA-256, the form of the fixtures' manifest. */
final class SegmentFiles {

  private SegmentFiles() {}

  static Map<String, String> digests(Path dir) throws Exception {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : (Iterable<Path>) paths.filter(Files::isRegularFile)::iterator) {
        String relative = dir.relativize(path).toString().replace(File.separatorChar, '/');
        files.put(relative, sha256(Files.readAllBytes(path)));
      }
    }
    return files;
  }

  private static String sha256(byte[] content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
  }
}
