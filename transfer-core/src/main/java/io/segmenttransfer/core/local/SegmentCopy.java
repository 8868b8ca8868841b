package io.segmenttransfer.core.local;

import io.segmenttransfer.core.error.CrcMismatchException;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.CreationMeta;
import io.segmenttransfer.core.segment.SegmentCrc;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.Adler32;

/**
 * Copies a segment directory built elsewhere on this machine (a committing server's freshly built
 * segment) into a staging directory, checksumming every file while it is copied, so each byte is
 * read once, and verifies the copy: the Pinot CRC of the staged files ({@link SegmentCrc}) must
 * equal the CRC in the staged {@code creation.meta}. The source is only read. Blocking.
 */
final class SegmentCopy {

  private static final int BUFFER = 256 * 1024;

  /** What was staged: its {@code creation.meta} and the bytes copied. */
  record Staged(CreationMeta creationMeta, long bytes) {}

  private record FileChecksum(String path, long size, long adler32)
      implements SegmentCrc.FileChecksum {}

  private SegmentCopy() {}

  /**
   * Refuses a source that is not a Pinot segment directory before anything is written: not a
   * directory, or no readable {@code creation.meta} in {@code v3/} or at the top.
   */
  static CreationMeta checkSource(String subject, Path source) {
    if (!Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
      throw new InvalidRequestException(
          subject, "segment directory " + source + " does not exist or is not a directory");
    }
    Optional<CreationMeta> meta = SegmentDataDirectory.readCreationMeta(source);
    if (meta.isEmpty()) {
      throw new InvalidRequestException(
          subject,
          source
              + " is not a Pinot segment: no creation.meta of at least "
              + CreationMeta.MIN_SIZE
              + " bytes in v3/ or at the top");
    }
    return meta.get();
  }

  /**
   * Copies {@code source} into {@code staging} (which must not exist) and verifies the CRC; the
   * caller deletes {@code staging} on any failure.
   *
   * @throws InvalidRequestException for a link or special file in the source (never followed)
   * @throws CrcMismatchException when the files do not add up to the CRC of creation.meta
   */
  static Staged copy(String subject, Path source, Path staging) throws IOException {
    List<FileChecksum> files = new ArrayList<>();
    long bytes = 0;
    byte[] buffer = new byte[BUFFER];
    Files.createDirectories(staging.getParent());
    try (Stream<Path> walk = Files.walk(source)) {
      for (Path from : (Iterable<Path>) walk.sorted()::iterator) {
        String relative = source.relativize(from).toString().replace('\\', '/');
        Path to = relative.isEmpty() ? staging : staging.resolve(relative);
        if (Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectory(to);
        } else if (Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS)) {
          Adler32 adler = new Adler32();
          long size = 0;
          try (InputStream in = Files.newInputStream(from);
              OutputStream out = Files.newOutputStream(to)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
              adler.update(buffer, 0, n);
              out.write(buffer, 0, n);
              size += n;
            }
          }
          files.add(new FileChecksum(relative, size, adler.getValue()));
          bytes += size;
        } else {
          // A link could point anywhere (and change under us); Pinot segments hold none.
          throw new InvalidRequestException(
              subject,
              "segment directory "
                  + source
                  + " holds "
                  + relative
                  + ", which is not a regular file or directory");
        }
      }
    }
    CreationMeta meta =
        SegmentDataDirectory.readCreationMeta(staging)
            .orElseThrow(
                () ->
                    new InvalidRequestException(
                        subject,
                        source
                            + " is not a Pinot segment: creation.meta vanished while it was copied"));
    long computed = SegmentCrc.of(files);
    if (computed != meta.crc()) {
      throw new CrcMismatchException(subject, "creation.meta of " + source, meta.crc(), computed);
    }
    return new Staged(meta, bytes);
  }
}
