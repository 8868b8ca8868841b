package io.segmenttransfer.benchmarks;

import io.segmenttransfer.core.archive.Codec;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

/**
 * Pinot's {@code TarCompressionUtils.createCompressedTarFile} (pinot-segment-spi, Pinot 1.x), as a
 * committing server runs it on the segment it built before uploading it: commons-compress {@link
 * TarArchiveOutputStream} (star big numbers, POSIX long names) over a {@link
 * GzipCompressorOutputStream} with its default parameters (deflate level 6) over a {@link
 * BufferedOutputStream} of the file, the directory walked with {@link File#listFiles()} and every
 * file copied through an 8 KiB buffer (commons-io {@code IOUtils.copy}), all on the calling thread.
 */
public final class PinotSegmentTar {

  private static final int COPY_BUFFER = 8192;

  private PinotSegmentTar() {}

  /**
   * Writes {@code segmentDir} as {@code tarGz}, entries under the directory's name; returns the
   * file's size. Blocking.
   */
  public static long createCompressedTarFile(Path segmentDir, Path tarGz) throws IOException {
    return createCompressedTarFile(segmentDir, tarGz, Codec.GZIP);
  }

  /**
   * The same with {@code codec}: gzip as above, or zstd as Pinot's {@code tar.zst}
   * (commons-compress {@link ZstdCompressorOutputStream}, zstd-jni's streaming compressor at its
   * default level 3, one thread).
   */
  public static long createCompressedTarFile(Path segmentDir, Path archive, Codec codec)
      throws IOException {
    try (OutputStream file = Files.newOutputStream(archive);
        BufferedOutputStream buffered = new BufferedOutputStream(file);
        OutputStream compressed =
            codec == Codec.ZSTD
                ? new ZstdCompressorOutputStream(buffered)
                : new GzipCompressorOutputStream(buffered);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(compressed)) {
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_STAR);
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      add(tar, segmentDir.toFile(), "");
    }
    return Files.size(archive);
  }

  private static void add(TarArchiveOutputStream tar, File file, String baseDir)
      throws IOException {
    String entryName = baseDir + file.getName();
    tar.putArchiveEntry(new TarArchiveEntry(file, entryName));
    if (file.isFile()) {
      try (InputStream in = Files.newInputStream(file.toPath())) {
        byte[] buffer = new byte[COPY_BUFFER];
        int n;
        while ((n = in.read(buffer)) >= 0) {
          tar.write(buffer, 0, n);
        }
      }
      tar.closeArchiveEntry();
    } else {
      tar.closeArchiveEntry();
      File[] children = file.listFiles();
      if (children == null) {
        throw new IOException("cannot list " + file);
      }
      for (File child : children) {
        add(tar, child, entryName + File.separator);
      }
    }
  }
}
