package io.segmenttransfer.benchmarks;

import io.segmenttransfer.core.archive.ArchiveOptions;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.SegmentArchives;
import io.segmenttransfer.core.archive.codec.CodecPool;
import io.segmenttransfer.core.archive.codec.ParallelSettings;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.ExtractionRequest;
import io.segmenttransfer.core.extract.ExtractionResult;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Untar throughput: this project's pipeline against Pinot's way and against the ceilings, on the
 * same generated segment in the same run. Each invocation extracts a whole segment into a fresh
 * directory on disk ({@code SingleShotTime}: the score is seconds per segment; {@link UntarReport}
 * turns it into MB/s of uncompressed output). Every result is checked after the timed region
 * (segment CRC and byte count), so a broken implementation fails the run instead of looking fast.
 *
 * <p>Benchmarks:
 *
 * <ul>
 *   <li>{@code pipelineFromMemory}, {@code pipelineFromFile} ({@link LocalFileSegmentStore}),
 *       {@code pipelineFromNetwork} (an in-memory archive in 256 KiB chunks emitted on another
 *       thread, standing in for a download: at memory speed, or paced to {@link #linkMBps});
 *   <li>{@code pinotUntarFromFile}: the commons-compress baseline;
 *   <li>{@code downloadThenUntar}: Pinot's download path on the same network stand-in: write the
 *       stream to a temporary file, untar it with the baseline, move the segment into place, delete
 *       the file;
 *   <li>{@code decompressOnly} and {@code writeOnly}: the ceilings;
 *   <li>{@code compressOurs} and {@code compressPinot}: building the archive from the segment's
 *       directory on disk, ours ({@code SegmentArchives} with the layout and threads of {@link
 *       #layout} and {@link #threads}) against Pinot's {@code createCompressedTarFile}.
 * </ul>
 *
 * <p>{@link #layout} picks the archive read ({@code single}: one stream, as Pinot writes it; {@code
 * parallel}: our parallel layout, as our servers write it) and {@link #threads} how our pipeline
 * decodes it ({@code serial}: the serial decoders; {@code 1}, {@code 2}: that many threads on the
 * parallel layouts; {@code cores}: the default).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 8)
@Measurement(iterations = 8)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx3g", "-XX:MaxDirectMemorySize=3g"})
public class UntarBenchmark {

  static final int CHUNK_SIZE = ArchiveStreams.DEFAULT_CHUNK_SIZE;

  /** Chunks the network stand-in queues ahead of its consumer, like a socket's receive buffer. */
  static final int NETWORK_PREFETCH = 8;

  @Param({"gzip", "zstd"})
  public String codec;

  @Param({"64", "256"})
  public int sizeMiB;

  /**
   * Speed of the network stand-in's link in MB/s of archive bytes; 0 delivers at memory speed. Only
   * {@code pipelineFromNetwork} and {@code downloadThenUntar} read it ({@link UntarReport} runs
   * those two again at each link speed it is given).
   */
  @Param({"0"})
  public int linkMBps;

  /** The archive's layout: {@code single} (Pinot's) or {@code parallel} (our servers'). */
  @Param({"single"})
  public String layout;

  /**
   * Our side's threads, decoding and compressing: {@code serial}, {@code 1}, {@code 2} or {@code
   * cores}; the baselines ignore it.
   */
  @Param({"cores"})
  public String threads;

  /**
   * Rows of a real Pinot segment to read instead of the synthetic one ({@link RealSegments}: built
   * by Pinot 1.5's own code, archived by Pinot with {@link #codec}, or by us in our parallel layout
   * when {@link #layout} is {@code parallel}); 0, the default, keeps the synthetic segment of
   * {@link #sizeMiB}. Real segments run every benchmark but {@code writeOnly}, which needs the
   * synthetic segment's generator and refuses; the compression benchmarks read Pinot's segment
   * directory.
   */
  @Param({"0"})
  public long realRows;

  private java.util.concurrent.Executor codecPool;
  private SegmentDirectoryWriter.Written segmentDir;

  /** What every extraction is checked against, from the synthetic or the real segment. */
  private Expected expected;

  /** The archive read and what extracting or decompressing it must produce. */
  private record Expected(
      Path file, Codec codec, SegmentId segment, long crc, long uncompressedBytes, long tarBytes) {}

  private ByteBuffer inMemory;
  private @Nullable SyntheticSegment segment;

  /** The real segment's directory (Pinot's build), or null for the synthetic segment. */
  private @Nullable Path realSegmentDir;

  private long creationTimeMs;
  private Scheduler scheduler;
  private Scheduler network;
  private SegmentExtractor extractor;
  private LocalFileSegmentStore store;
  private PlainFileWriter plainWriter;
  private Path work;
  private Path iterationDir;
  private int iteration;

  /** What the last invocation produced, checked in {@link #verifyAndClean()}. */
  private Outcome outcome;

  /** What an invocation claims it did. {@code crc} is -1 when nothing was checksummed. */
  record Outcome(String what, long bytes, long crc) {}

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    Codec c = Codec.valueOf(codec.toUpperCase(Locale.ROOT));
    SegmentSpec spec = SegmentSpec.ofMebibytes(sizeMiB, 1);
    scheduler = Schedulers.newBoundedElastic(8, 1024, "bench-extract");
    if (realRows > 0) {
      RealSegments.RealArchive real = RealSegments.defaultLocation().archive(realRows, 1, c);
      realSegmentDir = real.segmentDir();
      creationTimeMs = RealSegments.creationMetaOf(real.segmentDir()).creationTimeMs();
      Path file = layout.equals("parallel") ? RealSegments.ourParallelArchive(real) : real.file();
      inMemory = ArchiveStreams.load(file);
      expected =
          new Expected(
              file,
              c,
              SegmentId.of(RealSegments.TABLE_WITH_TYPE, real.segmentName()),
              real.crc(),
              real.segmentBytes(),
              DecompressToNothing.decompress(inMemory, c));
    } else {
      CachedArchive archive =
          ArchiveCache.defaultLocation().archive(spec, c, layout.equals("parallel"));
      segment = new SyntheticSegment(spec);
      creationTimeMs = segment.creationTimeMs();
      inMemory = ArchiveStreams.load(archive.file());
      expected =
          new Expected(
              archive.file(),
              c,
              spec.segmentId(),
              archive.crc(),
              archive.uncompressedBytes(),
              archive.tarBytes());
    }
    network = Schedulers.newSingle("bench-network");
    extractor =
        new SegmentExtractor(
            ExtractionConfig.defaults().withParallelDecoding(parallelSettings()),
            CrypterRegistry.fromConfig(CrypterConfig.defaults()),
            scheduler);
    store = new LocalFileSegmentStore(scheduler);
    plainWriter = new PlainFileWriter();
    work =
        Files.createDirectories(BenchPaths.target().resolve("bench-work"))
            .resolve("untar-" + codec + "-" + sizeMiB + "-" + ProcessHandle.current().pid());
  }

  /** Our side's parallel settings for {@link #threads}; null for the serial path. */
  private ParallelSettings parallelSettings() {
    return switch (threads) {
      case "serial" -> null;
      case "cores" -> ParallelSettings.defaults();
      default -> {
        int n = Integer.parseInt(threads);
        if (codecPool == null) {
          codecPool = CodecPool.newPool(n);
        }
        yield ParallelSettings.ofThreads(n).withPool(codecPool);
      }
    };
  }

  /**
   * The segment as a directory on disk, for the compression benchmarks: the real segment's own, or
   * the synthetic one written once.
   */
  private SegmentDirectoryWriter.Written segmentDirectory() throws IOException {
    if (realSegmentDir != null) {
      return new SegmentDirectoryWriter.Written(
          realSegmentDir, expected.crc(), expected.uncompressedBytes());
    }
    if (segment == null) {
      throw new IllegalStateException("no segment directory");
    }
    if (segmentDir == null) {
      segmentDir =
          SegmentDirectoryWriter.write(
              segment, work.resolve("segment").resolve(expected.segment().segmentName()));
    }
    return segmentDir;
  }

  @Setup(Level.Iteration)
  public void newDirectory() throws IOException {
    iterationDir = Files.createDirectories(work.resolve("it-" + iteration++));
    outcome = null;
  }

  @TearDown(Level.Iteration)
  public void verifyAndClean() {
    try {
      if (outcome == null) {
        throw new IllegalStateException("the invocation recorded no outcome");
      }
      if (outcome.what().equals("compressed")) {
        // The archive must hold the segment's files, byte for byte in number (read outside the
        // timed region with commons-compress, as Pinot would read it).
        long files = PinotUntar.countFileBytes(iterationDir.resolve("archive"));
        if (files != expected.uncompressedBytes()) {
          throw new IllegalStateException(
              "compressed archive holds "
                  + files
                  + " bytes, expected "
                  + expected.uncompressedBytes());
        }
        return;
      }
      long expectedBytes =
          switch (outcome.what()) {
            case "decompressed" -> expected.tarBytes();
            default -> expected.uncompressedBytes();
          };
      if (outcome.bytes() != expectedBytes) {
        throw new IllegalStateException(
            outcome.what() + " " + outcome.bytes() + " bytes, expected " + expectedBytes);
      }
      if (outcome.crc() != -1 && outcome.crc() != expected.crc()) {
        throw new IllegalStateException(
            outcome.what() + " CRC " + outcome.crc() + ", expected " + expected.crc());
      }
    } finally {
      Directories.deleteRecursively(iterationDir);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    scheduler.dispose();
    network.dispose();
    Directories.deleteRecursively(work);
  }

  @Benchmark
  public Outcome pipelineFromMemory() {
    return extracted(ArchiveStreams.inMemory(inMemory, CHUNK_SIZE));
  }

  @Benchmark
  public Outcome pipelineFromFile() {
    return extracted(store.read(expected.file().toUri(), 0));
  }

  @Benchmark
  public Outcome pipelineFromNetwork() {
    return extracted(networkStream());
  }

  @Benchmark
  public Outcome pinotUntarFromFile() throws IOException {
    PinotUntar.Result result = PinotUntar.untar(expected.file(), tableDir());
    return record(new Outcome("untarred", result.bytesWritten(), result.crc()));
  }

  @Benchmark
  public Outcome downloadThenUntar() throws IOException {
    Path tableDir = Files.createDirectories(tableDir());
    Path download =
        Files.createDirectories(tableDir.resolve("tmp"))
            .resolve(expected.segment().segmentName() + ".tar");
    try (FileChannel out =
        FileChannel.open(download, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      networkStream().doOnNext(chunk -> writeFully(out, chunk)).blockLast();
    }
    Path untarDir = tableDir.resolve("tmp").resolve(expected.segment().segmentName() + "-untar");
    PinotUntar.Result result = PinotUntar.untar(download, untarDir);
    Files.move(result.segmentDir(), tableDir.resolve(expected.segment().segmentName()));
    Files.delete(download);
    Files.delete(untarDir);
    return record(new Outcome("downloaded and untarred", result.bytesWritten(), result.crc()));
  }

  @Benchmark
  public Outcome decompressOnly() {
    return record(
        new Outcome(
            "decompressed", DecompressToNothing.decompress(inMemory, expected.codec()), -1));
  }

  @Benchmark
  public Outcome writeOnly() throws IOException {
    if (segment == null) {
      throw new IllegalStateException("writeOnly runs on synthetic segments only");
    }
    return record(
        new Outcome("written", plainWriter.write(segment, iterationDir.resolve("plain")), -1));
  }

  @Benchmark
  public Outcome compressOurs() throws IOException {
    SegmentDirectoryWriter.Written dir = segmentDirectory();
    Codec c = expected.codec();
    ParallelSettings parallel = parallelSettings();
    ArchiveOptions options =
        new ArchiveOptions(ArchiveCache.pinotLevel(c), layout.equals("parallel") ? parallel : null);
    Path file = iterationDir.resolve("archive");
    long bytes = 0;
    try (FileChannel out =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (ByteBuffer chunk :
          SegmentArchives.stream(
                  dir.dir(),
                  expected.segment().segmentName(),
                  creationTimeMs,
                  c,
                  options,
                  scheduler,
                  () -> null)
              .toIterable(4)) {
        bytes += chunk.remaining();
        writeFully(out, chunk);
      }
    }
    return record(new Outcome("compressed", bytes, -1));
  }

  @Benchmark
  public Outcome compressPinot() throws IOException {
    long bytes =
        PinotSegmentTar.createCompressedTarFile(
            segmentDirectory().dir(), iterationDir.resolve("archive"), expected.codec());
    return record(new Outcome("compressed", bytes, -1));
  }

  private Outcome extracted(Flux<ByteBuffer> source) {
    ExtractionRequest request =
        ExtractionRequest.of(iterationDir, expected.segment()).withExpectedCrc(expected.crc());
    ExtractionResult result = extractor.extract(source, request).block();
    return record(new Outcome("extracted", result.bytesWritten(), result.crc()));
  }

  private Flux<ByteBuffer> networkStream() {
    Flux<ByteBuffer> chunks =
        linkMBps > 0
            ? ArchiveStreams.paced(inMemory, CHUNK_SIZE, linkMBps, network)
            : ArchiveStreams.inMemory(inMemory, CHUNK_SIZE);
    return chunks.publishOn(network, NETWORK_PREFETCH);
  }

  private Path tableDir() {
    return iterationDir.resolve(expected.segment().table().toString());
  }

  private Outcome record(Outcome o) {
    outcome = o;
    return o;
  }

  private static void writeFully(FileChannel out, ByteBuffer chunk) {
    try {
      while (chunk.hasRemaining()) {
        out.write(chunk);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
