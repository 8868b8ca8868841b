package io.segmenttransfer.benchmarks;

import io.segmenttransfer.core.segment.SegmentCrc;
import java.io.BufferedInputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Adler32;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.CompressorException;
import org.apache.commons.compress.compressors.CompressorStreamFactory;

/**
 * The baseline: how Apache Pinot 1.5 untars a segment ({@code TarCompressionUtils.untar}) with the
 * same library version: commons-compress {@code TarArchiveInputStream} over the compressor stream
 * the factory detects (gzip or zstd) over a {@code BufferedInputStream} of the file, each entry
 * copied to a {@code FileOutputStream} through a 4 MiB buffer, on the calling thread.
 *
 * <p>One addition, so the baseline checks its own result like the pipeline does: each file's
 * Adler-32 is computed from the copy buffer while it is in cache, and the segment CRC combined from
 * them. That is cheaper than Pinot's way (reading every file back after the untar) and costs the
 * baseline a few percent at most; it makes the comparison conservative, never flattering.
 */
public final class PinotUntar {

  /** Pinot's copy buffer for untarring. */
  public static final int COPY_BUFFER_SIZE = 4 * 1024 * 1024;

  private static final CompressorStreamFactory COMPRESSORS = new CompressorStreamFactory();

  /** What an untar wrote. */
  public record Result(Path segmentDir, long bytesWritten, long crc) {}

  private record FileChecksum(String path, long size, long adler32)
      implements SegmentCrc.FileChecksum {}

  private PinotUntar() {}

  /**
   * Untars {@code archive} into {@code outputDir}; returns the segment directory it created.
   * Blocking.
   */
  public static Result untar(Path archive, Path outputDir) throws IOException {
    try (InputStream file = new FileInputStream(archive.toFile())) {
      return untar(file, outputDir);
    }
  }

  /**
   * The bytes of the regular files in a compressed tar, read through (not written) with the same
   * libraries: to check an archive a benchmark built. Blocking.
   */
  public static long countFileBytes(Path archive) {
    byte[] buffer = new byte[COPY_BUFFER_SIZE];
    long total = 0;
    try (InputStream buffered = new BufferedInputStream(new FileInputStream(archive.toFile()));
        InputStream decompressed = decompressor(buffered);
        TarArchiveInputStream tar = new TarArchiveInputStream(decompressed)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        if (entry.isFile()) {
          for (int n = tar.read(buffer); n >= 0; n = tar.read(buffer)) {
            total += n;
          }
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + archive, e);
    }
    return total;
  }

  /** Untars a compressed tar stream into {@code outputDir}. Blocking. */
  public static Result untar(InputStream archive, Path outputDir) throws IOException {
    String root = outputDir.toFile().getCanonicalPath() + File.separator;
    byte[] buffer = new byte[COPY_BUFFER_SIZE];
    Adler32 adler = new Adler32();
    List<FileChecksum> files = new ArrayList<>();
    String top = null;
    long written = 0;
    try (InputStream buffered = new BufferedInputStream(archive);
        InputStream decompressed = decompressor(buffered);
        TarArchiveInputStream tar = new TarArchiveInputStream(decompressed)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        File target = new File(outputDir.toFile(), entry.getName());
        // Pinot's zip-slip check: the canonical path must stay under the output directory.
        if (!target.getCanonicalPath().startsWith(root)) {
          throw new IOException("entry " + entry.getName() + " escapes " + outputDir);
        }
        String name = entry.getName();
        int slash = name.indexOf('/');
        if (top == null) {
          top = slash < 0 ? name : name.substring(0, slash);
        }
        if (entry.isDirectory()) {
          Files.createDirectories(target.toPath());
          continue;
        }
        Files.createDirectories(target.toPath().getParent());
        adler.reset();
        long size = 0;
        try (OutputStream out = new FileOutputStream(target)) {
          int n;
          while ((n = tar.read(buffer)) > 0) {
            adler.update(buffer, 0, n);
            out.write(buffer, 0, n);
            size += n;
          }
        }
        written += size;
        files.add(new FileChecksum(name.substring(slash + 1), size, adler.getValue()));
      }
    }
    if (top == null) {
      throw new IOException("archive holds no entries");
    }
    return new Result(outputDir.resolve(top), written, SegmentCrc.of(files));
  }

  private static InputStream decompressor(InputStream buffered) throws IOException {
    try {
      return COMPRESSORS.createCompressorInputStream(buffered);
    } catch (CompressorException e) {
      throw new IOException("not a compressed archive", e);
    }
  }
}
