package io.segmenttransfer.benchmarks;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.TarEncoder;
import io.segmenttransfer.core.archive.codec.Codecs;
import io.segmenttransfer.core.archive.codec.ParallelSettings;
import io.segmenttransfer.core.segment.SegmentCrc;
import io.segmenttransfer.core.stream.ByteTransform;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Adler32;

/**
 * Produces the archive of a {@link SyntheticSegment} as a pull stream: tar it on the fly with
 * {@link TarEncoder}, compress with the project's encoder, hand out compressed bytes as asked.
 * Memory held is one tar staging buffer and the encoder's state, whatever the segment size.
 *
 * <p>The segment CRC is computed as the data files stream past; {@code creation.meta}, which
 * carries it, is therefore the last entry of the archive (tar order is free; Pinot and this
 * project's extractor read it wherever it is).
 *
 * <p>Single-threaded; {@link #close()} releases the encoder's native memory.
 */
public final class SegmentArchiveGenerator implements AutoCloseable {

  private static final int TAR_STAGING = 256 * 1024;

  private final SyntheticSegment segment;
  private final ByteTransform encoder;
  private final TarEncoder tar = new TarEncoder();
  private final ByteBuffer plain = ByteBuffer.allocate(TAR_STAGING).flip();
  private final Adler32 adler = new Adler32();
  private final List<CoveredFile> covered = new ArrayList<>();

  /** The entries still to write, as steps run in order. */
  private final List<Runnable> steps = new ArrayList<>();

  private int nextStep;
  private ByteBuffer copying;
  private SegmentContent content;
  private SyntheticSegment.GeneratedFile contentFile;
  private long crc = -1;
  private long tarBytes;
  private boolean tarEnded;
  private boolean encoderEnded;

  private record CoveredFile(String path, long size, long adler32)
      implements SegmentCrc.FileChecksum {}

  public SegmentArchiveGenerator(SyntheticSegment segment, Codec codec, int level) {
    this(segment, codec, level, null);
  }

  /**
   * @param parallel the parallel layout's settings (what our servers write), or null for one stream
   *     (what Pinot writes)
   */
  public SegmentArchiveGenerator(
      SyntheticSegment segment, Codec codec, int level, ParallelSettings parallel) {
    this.segment = segment;
    this.encoder =
        parallel == null
            ? Codecs.encoder(codec, segment.spec().segmentName(), level)
            : Codecs.encoder(codec, segment.spec().segmentName(), level, parallel);
    String top = segment.spec().segmentName();
    long mtime = segment.creationTimeMs();
    for (String dir : segment.directories()) {
      steps.add(() -> copying = tar.directoryHeader(dir.isEmpty() ? top : top + "/" + dir, mtime));
    }
    for (SyntheticSegment.GeneratedFile file : segment.dataFiles()) {
      steps.add(
          () -> {
            copying = tar.fileHeader(top + "/" + file.path(), file.size(), mtime);
            content = segment.open(file);
            contentFile = file;
            adler.reset();
          });
    }
    steps.add(
        () -> {
          crc = SegmentCrc.of(covered);
          byte[] meta = segment.creationMeta(crc);
          copying =
              tar.fileHeader(top + "/" + SyntheticSegment.CREATION_META_FILE, meta.length, mtime);
          content = SegmentContent.of(meta);
          contentFile =
              new SyntheticSegment.GeneratedFile(SyntheticSegment.CREATION_META_FILE, meta.length);
        });
    steps.add(() -> copying = tar.end());
  }

  /**
   * Writes the next compressed bytes into {@code dst}.
   *
   * @return bytes written, or -1 once the whole archive was produced
   */
  public int read(ByteBuffer dst) {
    int start = dst.position();
    while (dst.hasRemaining()) {
      int n = encoder.read(dst);
      if (n < 0) {
        break;
      }
      if (n > 0) {
        continue;
      }
      if (!plain.hasRemaining()) {
        plain.clear();
        fillTar(plain);
        plain.flip();
        tarBytes += plain.remaining();
      }
      if (plain.hasRemaining()) {
        encoder.offer(plain);
      } else if (!encoderEnded) {
        encoderEnded = true;
        encoder.endOfInput();
      }
    }
    int produced = dst.position() - start;
    return produced == 0 && encoderEnded && dst.hasRemaining() ? -1 : produced;
  }

  private void fillTar(ByteBuffer out) {
    while (out.hasRemaining() && !tarEnded) {
      if (copying != null && copying.hasRemaining()) {
        int n = Math.min(out.remaining(), copying.remaining());
        out.put(out.position(), copying, copying.position(), n);
        out.position(out.position() + n);
        copying.position(copying.position() + n);
      } else if (content != null) {
        int before = out.position();
        int n = content.fill(out);
        adler.update(out.duplicate().position(before).limit(before + n));
        if (n == 0 && out.hasRemaining()) {
          if (!contentFile.path().equals(SyntheticSegment.CREATION_META_FILE)) {
            covered.add(new CoveredFile(contentFile.path(), contentFile.size(), adler.getValue()));
          }
          copying = TarEncoder.padding(contentFile.size());
          content = null;
        }
      } else if (nextStep < steps.size()) {
        steps.get(nextStep++).run();
      } else {
        tarEnded = true;
      }
    }
  }

  /** The segment CRC; known once the data files were produced, and always after the end. */
  public long crc() {
    if (crc < 0) {
      throw new IllegalStateException("the CRC is known once the data files were produced");
    }
    return crc;
  }

  /** Sum of the segment's file sizes: what an extraction writes. */
  public long uncompressedBytes() {
    return segment.files().stream().mapToLong(SyntheticSegment.GeneratedFile::size).sum();
  }

  /** Plain tar bytes produced so far. */
  public long tarBytes() {
    return tarBytes;
  }

  /** Compressed bytes produced so far. */
  public long archiveBytes() {
    return encoder.bytesOut();
  }

  @Override
  public void close() {
    encoder.close();
  }
}
