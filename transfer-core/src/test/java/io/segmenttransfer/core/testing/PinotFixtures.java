package io.segmenttransfer.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real segments built by Apache Pinot 1.5.0 in the repository's {@code testdata/pinot-1.5.0},
 * with their manifest. Missing fixtures fail the test: they are the ground truth, never optional.
 */
public final class PinotFixtures {

  public static final String TABLE = "events_OFFLINE";

  /** One fixture archive: its file, the segment it holds and what extracting it must produce. */
  public record Archive(
      Path file,
      String segmentName,
      long crc,
      long size,
      String sha256,
      String format,
      Map<String, FileEntry> files) {
    @Override
    public String toString() {
      return file.getFileName().toString();
    }
  }

  /** A file of the extracted segment: path relative to the segment directory. */
  public record FileEntry(String path, long size, String sha256) {}

  private PinotFixtures() {}

  /**
   * The fixtures directory: the one Surefire names (system property {@code
   * segmenttransfer.fixtures}, set by the parent pom to the repository's {@code
   * testdata/pinot-1.5.0}), or that directory found from the working directory when a test runs
   * from an IDE. Nothing outside the repository is read.
   */
  public static Path directory() {
    String property = System.getProperty("segmenttransfer.fixtures");
    List<Path> candidates = new ArrayList<>();
    if (property != null) {
      candidates.add(Path.of(property));
    }
    candidates.add(Path.of("testdata/pinot-1.5.0"));
    candidates.add(Path.of("../testdata/pinot-1.5.0"));
    for (Path candidate : candidates) {
      if (Files.isRegularFile(candidate.resolve("manifest.json"))) {
        return candidate.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException(
        "Pinot fixtures not found (looked in "
            + candidates
            + "): they belong in the repository's"
            + " testdata/pinot-1.5.0");
  }

  public static List<Archive> archives() {
    Path dir = directory();
    try {
      JsonNode manifest = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
      List<Archive> archives = new ArrayList<>();
      for (JsonNode segment : manifest.get("segments")) {
        String name = segment.get("segmentName").asText();
        Map<String, FileEntry> files = new LinkedHashMap<>();
        for (JsonNode file : segment.get("files")) {
          String path = file.get("path").asText().substring(name.length() + 1);
          files.put(
              path, new FileEntry(path, file.get("size").asLong(), file.get("sha256").asText()));
        }
        var formats = segment.get("archives").fields();
        while (formats.hasNext()) {
          var format = formats.next();
          JsonNode archive = format.getValue();
          archives.add(
              new Archive(
                  dir.resolve(archive.get("file").asText()),
                  name,
                  segment.get("crc").asLong(),
                  archive.get("size").asLong(),
                  archive.get("sha256").asText(),
                  format.getKey(),
                  files));
        }
      }
      return archives;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Archive archive(String format) {
    return archives().stream().filter(a -> a.format().equals(format)).findFirst().orElseThrow();
  }

  public static byte[] bytes(Archive archive) {
    try {
      return Files.readAllBytes(archive.file());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
