package io.segmenttransfer.core.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.segment.CreationMeta;
import io.segmenttransfer.core.testing.PinotFixtures;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.CompressorStreamFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link SegmentArchiveProducer#read}, which the peer endpoint uses to compress into pooled direct
 * buffers: the same bytes as {@link SegmentArchiveProducer#next()} chunk for chunk, written at the
 * buffer's position and never past {@link SegmentArchiveProducer#CHUNK_SIZE} or its limit, with the
 * tap given exactly those bytes.
 */
class SegmentArchiveProducerReadTest {

  @TempDir Path work;

  @ParameterizedTest
  @EnumSource(
      value = Codec.class,
      names = {"GZIP", "ZSTD"})
  void readsIntoDirectBuffersTheBytesNextReturns(Codec codec) throws Exception {
    Path segment = pinotSegment();
    ArchiveOptions options = ArchiveOptions.defaults(codec).withLevel(codec == Codec.ZSTD ? 1 : 6);

    ByteArrayOutputStream byNext = new ByteArrayOutputStream();
    int nextChunks = 0;
    try (SegmentArchiveProducer producer = producer(segment, codec, options, null)) {
      ByteBuffer chunk;
      while ((chunk = producer.next()) != null) {
        byNext.write(chunk.array(), chunk.arrayOffset() + chunk.position(), chunk.remaining());
        nextChunks++;
      }
    }

    Tap tap = new Tap();
    ByteArrayOutputStream byRead = new ByteArrayOutputStream();
    int readChunks = 0;
    // Twice the chunk size of room, from an offset: read writes one chunk's worth at most.
    ByteBuffer out = ByteBuffer.allocateDirect(2 * SegmentArchiveProducer.CHUNK_SIZE + 10);
    try (SegmentArchiveProducer producer = producer(segment, codec, options, tap)) {
      int n;
      while (true) {
        out.clear().position(10);
        n = producer.read(out);
        if (n < 0) {
          break;
        }
        assertThat(n).isPositive().isLessThanOrEqualTo(SegmentArchiveProducer.CHUNK_SIZE);
        assertThat(out.position()).isEqualTo(10 + n);
        byte[] bytes = new byte[n];
        out.flip().position(10);
        out.get(bytes);
        byRead.write(bytes);
        readChunks++;
      }
      assertThat(producer.read(out.clear())).as("still the end").isEqualTo(-1);
      assertThat(producer.bytesOut()).isEqualTo(byRead.size());
    }

    assertThat(byRead.toByteArray()).isEqualTo(byNext.toByteArray());
    assertThat(readChunks).isEqualTo(nextChunks);
    assertThat(tap.bytes.toByteArray()).isEqualTo(byRead.toByteArray());
    assertThat(tap.committed).isTrue();
    assertThat(tap.aborted).isFalse();
    assertThat(names(byRead.toByteArray())).contains(segment.getFileName() + "/v3/creation.meta");
  }

  @ParameterizedTest
  @EnumSource(
      value = Codec.class,
      names = {"GZIP", "ZSTD"})
  void aSmallBufferTakesNoMoreThanItsRoomAndTheBytesStayTheSame(Codec codec) throws Exception {
    Path segment = pinotSegment();
    ArchiveOptions options = ArchiveOptions.defaults(codec);
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    try (SegmentArchiveProducer producer = producer(segment, codec, options, null)) {
      ByteBuffer chunk;
      while ((chunk = producer.next()) != null) {
        whole.write(chunk.array(), chunk.arrayOffset() + chunk.position(), chunk.remaining());
      }
    }

    ByteArrayOutputStream small = new ByteArrayOutputStream();
    ByteBuffer out = ByteBuffer.allocateDirect(1000);
    try (SegmentArchiveProducer producer = producer(segment, codec, options, null)) {
      while (producer.read(out.clear()) >= 0) {
        assertThat(out.position()).isLessThanOrEqualTo(1000);
        byte[] bytes = new byte[out.flip().remaining()];
        out.get(bytes);
        small.write(bytes);
      }
    }
    assertThat(small.toByteArray()).isEqualTo(whole.toByteArray());
  }

  private static SegmentArchiveProducer producer(
      Path segment, Codec codec, ArchiveOptions options, ArchiveTap tap) throws Exception {
    byte[] meta = Files.readAllBytes(segment.resolve("v3/creation.meta"));
    long creationTime = CreationMeta.parse(meta, meta.length).creationTimeMs();
    return new SegmentArchiveProducer(
        segment, segment.getFileName().toString(), creationTime, codec, options, tap);
  }

  /** The first Pinot 1.5.0 fixture, unpacked by commons-compress (Pinot's reading path). */
  private Path pinotSegment() throws Exception {
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    Path into = Files.createDirectories(work.resolve("segments"));
    try (TarArchiveInputStream tar = tar(PinotFixtures.bytes(fixture))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path target = into.resolve(entry.getName()).normalize();
        if (entry.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(tar, target);
        }
      }
    }
    return into.resolve(fixture.segmentName());
  }

  private static List<String> names(byte[] archive) throws Exception {
    List<String> names = new ArrayList<>();
    try (TarArchiveInputStream tar = tar(archive)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        names.add(entry.getName());
      }
    }
    return names;
  }

  private static TarArchiveInputStream tar(byte[] archive) throws Exception {
    InputStream compressed =
        new CompressorStreamFactory()
            .createCompressorInputStream(
                new BufferedInputStream(new ByteArrayInputStream(archive)));
    return new TarArchiveInputStream(compressed);
  }

  /** Records what the producer hands its tap. */
  private static final class Tap implements ArchiveTap {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    boolean committed;
    boolean aborted;

    @Override
    public void write(ByteBuffer chunk) {
      byte[] copy = new byte[chunk.remaining()];
      chunk.get(copy);
      bytes.write(copy, 0, copy.length);
    }

    @Override
    public void commit() {
      committed = true;
    }

    @Override
    public void abort() {
      aborted = true;
    }
  }
}
