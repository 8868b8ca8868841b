package io.segmenttransfer.core.testing;

import com.github.luben.zstd.ZstdOutputStream;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.segment.CreationMeta;
import io.segmenttransfer.core.segment.SegmentCrc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.zip.Adler32;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import reactor.core.publisher.Flux;

/**
 * Builds segment archives with independent implementations (commons-compress tar, JDK gzip,
 * zstd-jni and lz4-java streams), so tests never check our decoder against our own encoder only.
 */
public final class TestArchives {

  private TestArchives() {}

  /**
   * A segment's files (paths relative to the segment dir) plus a valid {@code v3/creation.meta}.
   */
  public static Map<String, byte[]> segmentFiles(Map<String, byte[]> files) {
    Map<String, byte[]> all = new TreeMap<>(files);
    all.put(
        "v3/" + CreationMeta.FILE_NAME,
        new CreationMeta(crcOf(files), 1_700_000_000_000L, OptionalLong.of(7)).toBytes());
    return all;
  }

  /**
   * The Pinot CRC of files (creation.meta and *.crc excluded), computed the plain way: one running
   * Adler-32.
   */
  public static long crcOf(Map<String, byte[]> files) {
    Adler32 adler = new Adler32();
    new TreeMap<>(files)
        .forEach(
            (path, bytes) -> {
              if (SegmentCrc.isCovered(path)) {
                adler.update(bytes);
              }
            });
    return adler.getValue();
  }

  /** A random segment of a few files of mixed compressibility. */
  public static Map<String, byte[]> randomSegment(Random random, int files, int maxFileSize) {
    Map<String, byte[]> content = new LinkedHashMap<>();
    for (int i = 0; i < files; i++) {
      byte[] bytes = new byte[random.nextInt(maxFileSize + 1)];
      if (i % 2 == 0) {
        random.nextBytes(bytes);
      } else {
        for (int j = 0; j < bytes.length; j++) {
          bytes[j] = (byte) ("column-" + (j / 17) % 50).charAt(j % 7);
        }
      }
      content.put("v3/file_" + i + (i % 3 == 0 ? ".idx" : ".bin"), bytes);
    }
    content.put(
        "v3/metadata.properties", "segment.name=random\nsegment.total.docs=42\n".getBytes());
    content.put("v3/empty", new byte[0]);
    return segmentFiles(content);
  }

  /**
   * A tar of {@code <segmentName>/...} entries with a directory entry first, as Pinot writes it.
   */
  public static byte[] tar(String segmentName, Map<String, byte[]> files) {
    return tar(
        out -> {
          try {
            putDirectory(out, segmentName + "/");
            List<String> dirs = new ArrayList<>();
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
              String path = file.getKey();
              int slash = path.lastIndexOf('/');
              if (slash > 0 && !dirs.contains(path.substring(0, slash))) {
                dirs.add(path.substring(0, slash));
                putDirectory(out, segmentName + "/" + path.substring(0, slash) + "/");
              }
              putFile(out, segmentName + "/" + path, file.getValue());
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /** A tar written by commons-compress with POSIX long names and big numbers. */
  public static byte[] tar(Consumer<TarArchiveOutputStream> writer) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      writer.accept(out);
      out.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static void putDirectory(TarArchiveOutputStream out, String name) throws IOException {
    out.putArchiveEntry(new TarArchiveEntry(name));
    out.closeArchiveEntry();
  }

  public static void putFile(TarArchiveOutputStream out, String name, byte[] bytes)
      throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(bytes.length);
    out.putArchiveEntry(entry);
    out.write(bytes);
    out.closeArchiveEntry();
  }

  public static byte[] compress(Codec codec, byte[] tar) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out =
        switch (codec) {
          case GZIP -> new GZIPOutputStream(bytes, 65536);
          case ZSTD -> new ZstdOutputStream(bytes, 3);
          case LZ4 -> new LZ4FrameOutputStream(bytes);
          case NONE -> bytes;
        }) {
      out.write(tar);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static byte[] archive(Codec codec, String segmentName, Map<String, byte[]> files) {
    return compress(codec, tar(segmentName, files));
  }

  /** The bytes as a Flux of fresh buffers of the given size. */
  public static Flux<ByteBuffer> chunks(byte[] bytes, int chunkSize) {
    return Flux.range(0, (bytes.length + chunkSize - 1) / chunkSize)
        .map(
            i ->
                ByteBuffer.wrap(
                        bytes, i * chunkSize, Math.min(chunkSize, bytes.length - i * chunkSize))
                    .slice());
  }

  /** The bytes as a Flux of buffers of random sizes between 1 and maxChunk. */
  public static Flux<ByteBuffer> randomChunks(byte[] bytes, Random random, int maxChunk) {
    List<ByteBuffer> chunks = new ArrayList<>();
    int position = 0;
    while (position < bytes.length) {
      int n = Math.min(bytes.length - position, 1 + random.nextInt(maxChunk));
      chunks.add(ByteBuffer.wrap(bytes, position, n).slice());
      position += n;
    }
    return Flux.fromIterable(chunks);
  }
}
