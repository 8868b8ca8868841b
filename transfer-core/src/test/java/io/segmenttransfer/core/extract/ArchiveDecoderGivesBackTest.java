package io.segmenttransfer.core.extract;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.archive.ArchiveLimits;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.codec.CodecPool;
import io.segmenttransfer.core.archive.codec.Codecs;
import io.segmenttransfer.core.archive.codec.ParallelSettings;
import io.segmenttransfer.core.store.ReadBuffers;
import io.segmenttransfer.core.testing.TestArchives;
import io.segmenttransfer.core.testing.Transforms;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decoder gives an archive chunk back only when nothing can read it any more: here every chunk
 * given back is overwritten with garbage (and made to look refilled) the instant it comes back, the
 * harshest a store could do, and the decoded files must still be the archive's. Driven directly, on
 * one thread, so it is deterministic.
 */
class ArchiveDecoderGivesBackTest {

  private static final int CHUNK = 4096;
  private static final String SEGMENT = "events_1_2_0";

  /** Stands in for a store that refills a chunk the moment it is given back. */
  private static final class Overwriting extends ReadBuffers {
    int given;

    Overwriting() {
      super(CHUNK, 16);
    }

    @Override
    public void give(ByteBuffer buffer) {
      Arrays.fill(buffer.array(), (byte) 0x5a);
      buffer.clear();
      given++;
      super.give(buffer);
    }
  }

  static Stream<Arguments> archives() {
    Map<String, byte[]> files =
        TestArchives.segmentFiles(TestArchives.randomSegment(new Random(9), 4, 200_000));
    files.keySet().removeIf(p -> p.endsWith("creation.meta") && !p.startsWith("v3/"));
    byte[] tar = TestArchives.tar(SEGMENT, files);
    ParallelSettings parallel =
        new ParallelSettings(2, ParallelSettings.MIN_CHUNK_SIZE, 3, CodecPool.shared());
    Stream.Builder<Arguments> all = Stream.builder();
    for (Codec codec : Codec.values()) {
      byte[] single = TestArchives.compress(codec, tar);
      all.add(Arguments.of(codec + " serially", single, null, files));
      // A parallel reader that finds a single stream hands it to its serial decoder (nested).
      all.add(Arguments.of(codec + " through the parallel reader", single, parallel, files));
      if (codec == Codec.GZIP || codec == Codec.ZSTD) {
        byte[] layout =
            Transforms.apply(
                Codecs.encoder(codec, SEGMENT, Codecs.defaultLevel(codec), parallel), tar);
        all.add(Arguments.of(codec + " parallel layout", layout, parallel, files));
      }
    }
    return all.build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("archives")
  void decodesTheArchiveAlthoughEveryChunkGivenBackIsOverwritten(
      String name, byte[] archive, ParallelSettings parallel, Map<String, byte[]> files) {
    Overwriting lent = new Overwriting();
    BufferPool pool = new BufferPool(CHUNK, 8);
    Map<String, byte[]> decoded = new TreeMap<>();
    ByteArrayOutputStream current = new ByteArrayOutputStream();
    String[] open = {null};
    try (ArchiveDecoder decoder =
        new ArchiveDecoder(SEGMENT, null, ArchiveLimits.defaults(), pool, parallel, lent)) {
      for (int at = 0; at < archive.length; at += CHUNK) {
        ByteBuffer chunk = lent.take(CHUNK);
        chunk.put(archive, at, Math.min(CHUNK, archive.length - at)).flip();
        decoder.decode(chunk).forEach(b -> apply(b, decoded, current, open, pool));
      }
      decoder.finish().forEach(b -> apply(b, decoded, current, open, pool));
    }

    Map<String, byte[]> expected = new TreeMap<>();
    files.forEach((path, bytes) -> expected.put(SEGMENT + "/" + path, bytes));
    assertThat(decoded.keySet()).isEqualTo(expected.keySet());
    expected.forEach((path, bytes) -> assertThat(decoded.get(path)).as(path).isEqualTo(bytes));
    assertThat(lent.given).as("chunks given back").isGreaterThan(archive.length / CHUNK / 2);
  }

  private static void apply(
      WriteBatch batch,
      Map<String, byte[]> decoded,
      ByteArrayOutputStream current,
      String[] open,
      BufferPool pool) {
    for (WriteBatch.WriteOp op : batch.ops()) {
      if (op instanceof WriteBatch.OpenFile f) {
        open[0] = f.path();
        current.reset();
      } else if (op instanceof WriteBatch.Write w) {
        ByteBuffer data = w.data().duplicate();
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        current.writeBytes(bytes);
      } else if (op instanceof WriteBatch.CloseFile) {
        decoded.put(open[0], current.toByteArray());
      }
    }
    pool.release(batch.buffer());
  }
}
