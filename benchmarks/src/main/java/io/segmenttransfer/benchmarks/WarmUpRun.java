package io.segmenttransfer.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.ExtractionRequest;
import io.segmenttransfer.core.extract.ExtractionResult;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * One side of the warm-up curve, run by {@link ColdStartReport} as a fresh JVM: the same real
 * archive extracted {@code count} times in a row in this one JVM, each into a fresh directory that
 * is deleted before the next, and the milliseconds of each extraction printed as one JSON object.
 *
 * <p>Sides: {@code ours} is this project's pipeline from a file ({@link LocalFileSegmentStore} into
 * {@link SegmentExtractor}, CRC verified, as {@link UntarBenchmark#pipelineFromFile} runs it);
 * {@code pinot} is {@link PinotUntar}, the commons-compress reimplementation of Pinot 1.5's {@code
 * TarCompressionUtils.untar} ({@code pinot-tools untar} takes one archive per JVM, so Pinot's own
 * code cannot be timed warm without adding to it).
 *
 * <p>Usage: {@code WarmUpRun ours|pinot ARCHIVE SEGMENT_NAME CRC BYTES COUNT WORK_DIR}.
 */
public final class WarmUpRun {

  private WarmUpRun() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 7) {
      throw new IllegalArgumentException(
          "usage: WarmUpRun ours|pinot ARCHIVE SEGMENT_NAME CRC BYTES COUNT WORK_DIR");
    }
    String side = args[0];
    Path archive = Path.of(args[1]);
    SegmentId segment = SegmentId.of(RealSegments.TABLE_WITH_TYPE, args[2]);
    long crc = Long.parseLong(args[3]);
    long bytes = Long.parseLong(args[4]);
    int count = Integer.parseInt(args[5]);
    Path work = Files.createDirectories(Path.of(args[6]));
    List<Long> millis = new ArrayList<>();
    Scheduler scheduler = Schedulers.newBoundedElastic(8, 1024, "warm-extract");
    try {
      SegmentExtractor extractor =
          new SegmentExtractor(
              ExtractionConfig.defaults(),
              CrypterRegistry.fromConfig(CrypterConfig.defaults()),
              scheduler);
      LocalFileSegmentStore store = new LocalFileSegmentStore(scheduler);
      for (int i = 0; i < count; i++) {
        Path dir = work.resolve("run-" + i);
        long started = System.nanoTime();
        long written;
        long gotCrc;
        switch (side) {
          case "ours" -> {
            ExtractionResult result =
                extractor
                    .extract(
                        store.read(archive.toUri(), 0),
                        ExtractionRequest.of(dir, segment).withExpectedCrc(crc))
                    .block();
            written = result.bytesWritten();
            gotCrc = result.crc();
          }
          case "pinot" -> {
            PinotUntar.Result result = PinotUntar.untar(archive, dir);
            written = result.bytesWritten();
            gotCrc = result.crc();
          }
          default -> throw new IllegalArgumentException("side is ours or pinot, not " + side);
        }
        millis.add((System.nanoTime() - started) / 1_000_000);
        if (written != bytes || gotCrc != crc) {
          throw new IllegalStateException(
              side
                  + " run "
                  + i
                  + " wrote "
                  + written
                  + " bytes CRC "
                  + gotCrc
                  + ", expected "
                  + bytes
                  + " bytes CRC "
                  + crc);
        }
        Directories.deleteRecursively(dir);
      }
    } finally {
      scheduler.dispose();
    }
    System.out.println(
        new ObjectMapper().writeValueAsString(Map.of("side", side, "millis", millis)));
  }
}
