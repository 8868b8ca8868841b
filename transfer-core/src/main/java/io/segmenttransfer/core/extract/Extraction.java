package io.segmenttransfer.core.extract;

import io.segmenttransfer.core.error.CrcMismatchException;
import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.error.SegmentWriteException;
import io.segmenttransfer.core.layout.SegmentPaths;
import io.segmenttransfer.core.layout.SegmentSwap;
import io.segmenttransfer.core.segment.CreationMeta;
import io.segmenttransfer.core.segment.SegmentCrc;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.store.ReadBuffers;
import io.segmenttransfer.core.stream.ByteTransform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The state of one extraction: its staging directory, decoder and writer, and how it ends. */
final class Extraction {

  private final ExtractionRequest request;
  private final Path staging;
  private final ArchiveDecoder decoder;
  private final StagingWriter writer;
  private final SegmentSwap.StepObserver observer;
  private final long startNanos = System.nanoTime();

  /** Set by {@link #cleanup()}: {@link #complete()} no longer moves anything into place. */
  private boolean closed;

  private Extraction(
      ExtractionRequest request,
      Path staging,
      ArchiveDecoder decoder,
      StagingWriter writer,
      SegmentSwap.StepObserver observer) {
    this.request = request;
    this.staging = staging;
    this.decoder = decoder;
    this.writer = writer;
    this.observer = observer;
  }

  /** Creates the staging directory {@code <dataDir>/<table>/tmp/<segment>-<unique>}. Blocking. */
  static Extraction start(
      ExtractionRequest request,
      ByteTransform decryptor,
      ExtractionConfig config,
      BufferPool pool,
      ReadBuffers readBuffers,
      SegmentSwap.StepObserver observer) {
    String subject = request.subject();
    Path stagingRoot = request.tableDir().resolve(SegmentPaths.STAGING_DIR);
    Path staging =
        stagingRoot.resolve(SegmentPaths.stagingName(request.segmentName().orElse("archive")));
    try {
      Files.createDirectories(staging);
    } catch (IOException e) {
      if (decryptor != null) {
        decryptor.close();
      }
      throw new SegmentWriteException(subject, "cannot create staging directory " + staging, e);
    }
    try {
      observer.before("extract-staged");
    } catch (RuntimeException e) {
      // The resource never reached usingWhen, so its cleanup will not run: undo here.
      if (decryptor != null) {
        decryptor.close();
      }
      try {
        SegmentSwap.deleteRecursively(staging);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    ArchiveDecoder decoder =
        new ArchiveDecoder(
            subject, decryptor, config.limits(), pool, config.parallelDecoding(), readBuffers);
    StagingWriter writer = new StagingWriter(subject, staging, pool);
    return new Extraction(request, staging, decoder, writer, observer);
  }

  ArchiveDecoder decoder() {
    return decoder;
  }

  StagingWriter writer() {
    return writer;
  }

  /**
   * Verifies the extracted files and moves the segment into place. Runs on the writer's worker
   * after the last batch was written. Blocking. Excludes {@link #cleanup()}: a cancel arriving now
   * waits for the segment to be in place (or not) before the staging directory is deleted, so a
   * half-deleted copy is never moved into place.
   */
  synchronized ExtractionResult complete() {
    if (closed) {
      throw new IllegalStateException(request.subject() + ": extraction already cleaned up");
    }
    observer.before("extract-verify");
    String top = decoder.topDirectory();
    String name = request.segmentName().orElse(top);
    SegmentId segment = new SegmentId(request.table(), name);
    String prefix = top + "/";
    List<ExtractedFile> files =
        writer.files().stream()
            .map(f -> new ExtractedFile(f.path().substring(prefix.length()), f.size(), f.adler32()))
            .toList();
    long crc = SegmentCrc.of(files);
    CreationMeta meta = creationMeta(name, prefix);
    if (meta.crc() != crc) {
      throw new CrcMismatchException(name, "creation.meta", meta.crc(), crc);
    }
    if (request.expectedCrc().isPresent() && request.expectedCrc().getAsLong() != crc) {
      throw new CrcMismatchException(name, "expected", request.expectedCrc().getAsLong(), crc);
    }
    SegmentPaths paths = new SegmentPaths(request.dataDir(), segment);
    boolean replaced = SegmentSwap.moveIntoPlace(staging.resolve(top), paths, observer);
    Duration total = Duration.ofNanos(System.nanoTime() - startNanos);
    return new ExtractionResult(
        segment,
        paths.segmentDir(),
        files,
        writer.bytesWritten(),
        decoder.archiveBytes(),
        crc,
        meta,
        decoder.codec(),
        replaced,
        new ExtractionResult.Timings(
            total, Duration.ofNanos(decoder.busyNanos()), Duration.ofNanos(writer.busyNanos())));
  }

  /**
   * Pinot keeps {@code creation.meta} in {@code v3/} for v3 segments and at the root before that.
   */
  private CreationMeta creationMeta(String name, String prefix) {
    Map<String, byte[]> metas = writer.creationMetas();
    byte[] bytes = metas.get(prefix + "v3/" + CreationMeta.FILE_NAME);
    if (bytes == null) {
      bytes = metas.get(prefix + CreationMeta.FILE_NAME);
    }
    if (bytes == null) {
      throw new InvalidArchiveException(name, "archive has no creation.meta: not a Pinot segment");
    }
    CreationMeta meta = CreationMeta.parse(bytes, bytes.length);
    if (meta == null) {
      throw new InvalidArchiveException(
          name, "creation.meta has " + bytes.length + " bytes, expected at least 16");
    }
    return meta;
  }

  /**
   * Releases everything and deletes the staging directory: after success it only holds the empty
   * staging dir; after an error or a cancel it holds the partial segment. Blocking: waits for a
   * write or {@link #complete()} running on the writer's worker. Runs again harmlessly.
   */
  synchronized void cleanup() {
    closed = true;
    writer.abort();
    decoder.close();
    try {
      SegmentSwap.deleteRecursively(staging);
    } catch (IOException e) {
      throw new SegmentWriteException(
          request.subject(), "could not delete staging directory " + staging, e);
    }
  }
}
