package io.segmenttransfer.controller;

import io.segmenttransfer.core.archive.ArchiveLimits;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.SmallFileCollector;
import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.extract.ArchiveEntriesReader;
import io.segmenttransfer.core.segment.CreationMeta;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * What a tar push needs out of the archive streaming past: the segment's name (its top-level
 * directory), {@code metadata.properties} and {@code creation.meta}. The reading itself is the
 * download pipeline's ({@link ArchiveEntriesReader}): the same codecs, path checks and {@link
 * ArchiveLimits}, so a hostile upload is refused as a hostile download would be, and nothing is
 * unpacked to disk. The whole archive is decoded, so a corrupt or truncated upload is refused
 * before it is committed. Memory: the decoder's window, one output buffer and the two small files.
 *
 * <p>Not thread-safe; fed in order by one upload. Public only for the controller's own sub-packages
 * ({@code completion}, which reads committed archives); not an API.
 */
public final class ArchiveInspector {

  public static final String METADATA_PROPERTIES = "metadata.properties";

  /** Real metadata.properties files are a few KiB; this bounds what one upload can make us hold. */
  static final int MAX_KEPT_FILE_BYTES = 8 * 1024 * 1024;

  /**
   * Where Pinot keeps the two files, relative to the segment directory: {@code v3/} for v3
   * segments, the top for older ones. {@code v3/} is read first, as Pinot's {@code
   * SegmentDirectoryPaths} and the extraction pipeline do.
   */
  private static final String[] SEARCH_DIRECTORIES = {"v3/", ""};

  private static final Set<String> KEPT =
      Set.of(
          "v3/" + METADATA_PROPERTIES,
          METADATA_PROPERTIES,
          "v3/" + CreationMeta.FILE_NAME,
          CreationMeta.FILE_NAME);

  private final String subject;
  private final SmallFileCollector kept;
  private final ArchiveEntriesReader reader;

  public ArchiveInspector(String subject, ArchiveLimits limits) {
    this.subject = subject;
    this.kept = new SmallFileCollector(subject, ArchiveInspector::isKept, MAX_KEPT_FILE_BYTES);
    this.reader = new ArchiveEntriesReader(subject, limits, kept);
  }

  /**
   * Inspects the next chunk. The chunk's position and contents are left as they are: the same
   * buffer goes on to the deep store.
   *
   * @throws InvalidArchiveException when the bytes are not a valid segment archive
   * @throws io.segmenttransfer.core.error.ArchiveLimitExceededException when it goes over the
   *     limits
   */
  public void accept(ByteBuffer chunk) {
    reader.accept(chunk);
  }

  /**
   * Declares the end of the archive and checks it was complete and held a segment.
   *
   * @throws InvalidArchiveException when it was truncated or empty, or has no {@code creation.meta}
   */
  public void finish() {
    try {
      reader.finish();
    } finally {
      close();
    }
    if (file(CreationMeta.FILE_NAME) == null) {
      throw new InvalidArchiveException(subject, "archive has no " + CreationMeta.FILE_NAME);
    }
  }

  /** Releases the decompressor; safe at any time and more than once. */
  public void close() {
    reader.close();
  }

  /** The codec, once the first bytes were seen. */
  public Codec codec() {
    return reader.codec();
  }

  /** Bytes inspected so far: the archive's size after {@link #finish()}. */
  public long size() {
    return reader.archiveBytes();
  }

  /** The archive's top-level directory, known from its first entry: the segment name. */
  public String segmentDirectory() {
    return reader.topDirectory();
  }

  /** {@code creation.meta}, after {@link #finish()}. */
  public CreationMeta creationMeta() {
    byte[] bytes = file(CreationMeta.FILE_NAME);
    CreationMeta meta = bytes == null ? null : CreationMeta.parse(bytes, bytes.length);
    if (meta == null) {
      throw new InvalidArchiveException(
          subject, CreationMeta.FILE_NAME + " is shorter than " + CreationMeta.MIN_SIZE + " bytes");
    }
    return meta;
  }

  /** {@code metadata.properties}; empty when the archive had none. */
  public Properties metadataProperties() {
    Properties properties = new Properties();
    byte[] metadata = file(METADATA_PROPERTIES);
    if (metadata != null) {
      try {
        properties.load(new StringReader(new String(metadata, StandardCharsets.UTF_8)));
      } catch (IOException | IllegalArgumentException e) {
        throw new InvalidArchiveException(
            subject, "unreadable " + METADATA_PROPERTIES + ": " + e.getMessage(), e);
      }
    }
    return properties;
  }

  /** The kept file of that name, {@code v3/} first; null when the archive has neither. */
  private byte[] file(String name) {
    String top = reader.topDirectory();
    if (top == null) {
      return null;
    }
    Map<String, byte[]> files = kept.files();
    for (String directory : SEARCH_DIRECTORIES) {
      byte[] bytes = files.get(top + "/" + directory + name);
      if (bytes != null) {
        return bytes;
      }
    }
    return null;
  }

  /** Paths under the segment directory ({@code <segment>/...}) that hold one of the two files. */
  private static boolean isKept(String path) {
    int slash = path.indexOf('/');
    return slash > 0 && KEPT.contains(path.substring(slash + 1));
  }
}
