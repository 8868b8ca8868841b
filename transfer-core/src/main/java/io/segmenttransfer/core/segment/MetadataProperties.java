package io.segmenttransfer.core.segment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * A segment's {@code metadata.properties} ({@code v3/} first, as Pinot reads it), for the one key
 * this project writes into it: {@value SegmentMetadata#TABLE_CONFIG_HASH}, the table config hash
 * the deep-store sync rebuilt the segment under, which a server reads back to answer {@code
 * isStale}. Edited by lines, every other line left byte for byte as Pinot wrote it (its escaping is
 * commons-configuration's, not {@code java.util.Properties}'). Blocking.
 */
public final class MetadataProperties {

  public static final String FILE_NAME = "metadata.properties";

  private MetadataProperties() {}

  /** The file in a segment directory, if it has one. */
  public static Optional<Path> find(Path segmentDir) {
    for (Path candidate :
        List.of(segmentDir.resolve("v3").resolve(FILE_NAME), segmentDir.resolve(FILE_NAME))) {
      if (Files.isRegularFile(candidate, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** The table config hash recorded in the segment, if any. */
  public static Optional<String> tableConfigHash(Path segmentDir) throws IOException {
    Optional<Path> file = find(segmentDir);
    if (file.isEmpty()) {
      return Optional.empty();
    }
    for (String line : Files.readAllLines(file.get(), StandardCharsets.UTF_8)) {
      String[] parts = line.strip().split("\\s*[=:]\\s*", 2);
      if (parts.length == 2 && parts[0].equals(SegmentMetadata.TABLE_CONFIG_HASH)) {
        return Optional.of(parts[1].strip());
      }
    }
    return Optional.empty();
  }

  /** Sets the table config hash in {@code file}, replacing any earlier one; atomic rename. */
  public static void recordTableConfigHash(Path file, String tableHash) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(text.length() + 100);
    for (String line : text.split("\n", -1)) {
      String key = line.strip().split("[=:\\s]", 2)[0];
      if (!key.equals(SegmentMetadata.TABLE_CONFIG_HASH)) {
        out.append(line).append('\n');
      }
    }
    while (out.length() > 0 && out.charAt(out.length() - 1) == '\n') {
      out.setLength(out.length() - 1);
    }
    out.append('\n')
        .append(SegmentMetadata.TABLE_CONFIG_HASH)
        .append(" = ")
        .append(tableHash)
        .append('\n');
    Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(temp, out, StandardCharsets.UTF_8);
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
