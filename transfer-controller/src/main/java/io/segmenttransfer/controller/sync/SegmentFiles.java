package io.segmenttransfer.controller.sync;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.CreationMeta;
import io.segmenttransfer.core.segment.MetadataProperties;
import io.segmenttransfer.core.segment.SegmentCrc;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import java.util.zip.Adler32;
import org.jspecify.annotations.Nullable;

/**
 * What the sync does to a processed segment directory before archiving it: records the table config
 * hash in {@code metadata.properties}, then recomputes {@code creation.meta} with core's Pinot CRC
 * ({@link SegmentCrc}: Adler-32 of the covered files in sorted path order). The creation time is
 * kept (archive mtimes, and Pinot's own idea of the segment's age); Pinot 1.5's data CRC is kept
 * when the CRC did not change and dropped otherwise (a 16-byte {@code creation.meta}), because it
 * is computed by Pinot's segment writer from data this project does not model, and a stale one
 * would tell a Pinot server the data had not changed. Blocking.
 */
final class SegmentFiles {

  private static final int BUFFER = 256 * 1024;

  /** The new {@code creation.meta} and the segment's uncompressed size. */
  record Finished(CreationMeta creationMeta, long bytes) {}

  private record FileChecksum(String path, long size, long adler32)
      implements SegmentCrc.FileChecksum {}

  private SegmentFiles() {}

  /**
   * @param tableHash written into metadata.properties; null leaves the files as they are
   */
  static Finished finish(String subject, Path segmentDir, @Nullable String tableHash)
      throws IOException {
    Path creationMetaFile = find(segmentDir, CreationMeta.FILE_NAME, subject);
    byte[] oldBytes = Files.readAllBytes(creationMetaFile);
    CreationMeta old = CreationMeta.parse(oldBytes, oldBytes.length);
    if (old == null) {
      throw new InvalidRequestException(
          subject, "creation.meta is shorter than " + CreationMeta.MIN_SIZE + " bytes");
    }
    if (tableHash != null) {
      MetadataProperties.recordTableConfigHash(
          find(segmentDir, MetadataProperties.FILE_NAME, subject), tableHash);
    }
    List<FileChecksum> files = new ArrayList<>();
    long bytes = 0;
    byte[] buffer = new byte[BUFFER];
    try (Stream<Path> walk = Files.walk(segmentDir)) {
      for (Path file : (Iterable<Path>) walk.sorted()::iterator) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        Adler32 adler = new Adler32();
        long size = 0;
        try (InputStream in = Files.newInputStream(file)) {
          for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            adler.update(buffer, 0, n);
            size += n;
          }
        }
        files.add(
            new FileChecksum(
                segmentDir.relativize(file).toString().replace('\\', '/'), size, adler.getValue()));
        bytes += size;
      }
    }
    long crc = SegmentCrc.of(files);
    CreationMeta fresh =
        new CreationMeta(
            crc, old.creationTimeMs(), crc == old.crc() ? old.dataCrc() : OptionalLong.empty());
    if (!fresh.equals(old)) {
      replace(creationMetaFile, fresh.toBytes());
    }
    return new Finished(fresh, bytes);
  }

  private static Path find(Path segmentDir, String name, String subject) {
    for (Path candidate :
        List.of(segmentDir.resolve("v3").resolve(name), segmentDir.resolve(name))) {
      if (Files.isRegularFile(candidate, LinkOption.NOFOLLOW_LINKS)) {
        return candidate;
      }
    }
    throw new InvalidRequestException(
        subject, "the processed segment has no " + name + " in v3/ or at the top");
  }

  private static void replace(Path file, byte[] bytes) throws IOException {
    Path temp = file.resolveSibling("." + file.getFileName() + ".sync-tmp");
    Files.write(temp, bytes);
    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
