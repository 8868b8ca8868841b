package io.segmenttransfer.core.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.luben.zstd.Zstd;
import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.ExtractionRequest;
import io.segmenttransfer.core.extract.ExtractionResult;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.segment.CreationMeta;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.core.testing.TestArchives;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.CompressorStreamFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The archives our writers make by default (the parallel layouts) read by every stock reader to the
 * same files: Pinot's own path (commons-compress {@code CompressorStreamFactory} detecting the
 * codec, then {@code TarArchiveInputStream}, as Pinot 1.5's {@code TarCompressionUtils} does), GNU
 * {@code tar -xzf} and {@code tar --zstd -xf}, {@code gzip -t} and {@code zstd -t}, and our own
 * pipeline. Each segment is a real Pinot fixture (one chunk) or a synthetic 10 MiB one (three
 * chunks of the default 4 MiB). A CLI missing from the machine skips its check with a note.
 */
class ParallelArchiveCompatibilityTest {

  private static final TableNameWithType TABLE = TableNameWithType.parse("events_OFFLINE");
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private static Scheduler scheduler;

  @TempDir Path work;

  @BeforeAll
  static void startScheduler() {
    scheduler = Schedulers.newBoundedElastic(4, 100, "compat");
  }

  @AfterAll
  static void stopScheduler() {
    scheduler.dispose();
  }

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (Codec codec : List.of(Codec.GZIP, Codec.ZSTD)) {
      cases.add(Arguments.of("pinot fixture", codec));
      cases.add(Arguments.of("synthetic 10 MiB", codec));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("cases")
  void stockReadersReadOurArchivesToTheSameFiles(String kind, Codec codec) throws Exception {
    Path segment = kind.startsWith("pinot") ? pinotSegment() : syntheticSegment();
    String name = segment.getFileName().toString();
    Map<String, String> expected = DirectorySnapshot.of(segment.getParent());
    byte[] metaBytes = Files.readAllBytes(segment.resolve("v3/creation.meta"));
    CreationMeta meta = CreationMeta.parse(metaBytes, metaBytes.length);
    byte[] archive = archive(segment, name, meta.creationTimeMs(), codec);
    assertLayout(archive, codec, kind);
    Path file = work.resolve("archive." + codec.extension());
    Files.write(file, archive);

    assertThat(commonsCompress(archive)).as("commons-compress, as Pinot").isEqualTo(expected);
    assertThat(gnuTar(file, codec)).as("GNU tar").isEqualTo(expected);
    String tester = codec == Codec.GZIP ? "gzip" : "zstd";
    assumeOrNote(tester);
    assertThat(run(work, tester, "-t", file.toString()).exitCode).as(tester + " -t").isZero();
    assertThat(ours(archive)).as("our pipeline").isEqualTo(DirectorySnapshot.of(segment));
  }

  private byte[] archive(Path segment, String name, long creationTime, Codec codec) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Flux<ByteBuffer> chunks = SegmentArchives.stream(segment, name, creationTime, codec, scheduler);
    chunks
        .doOnNext(b -> out.write(b.array(), b.arrayOffset() + b.position(), b.remaining()))
        .blockLast(TIMEOUT);
    return out.toByteArray();
  }

  /** The default writers use the parallel layout: gzip's extra field, zstd's sized frames. */
  private static void assertLayout(byte[] archive, Codec codec, String kind) {
    if (codec == Codec.GZIP) {
      assertThat(archive[3]).as("FEXTRA flag").isEqualTo((byte) 4);
      assertThat(new String(archive, 12, 2, StandardCharsets.US_ASCII)).isEqualTo("ST");
    } else {
      long first = Zstd.findFrameCompressedSize(archive, 0, archive.length);
      assertThat(Zstd.getFrameContentSize(archive, 0, archive.length)).isPositive();
      if (!kind.startsWith("pinot")) {
        assertThat(first).as("several frames").isLessThan(archive.length);
      }
    }
  }

  private Map<String, String> commonsCompress(byte[] archive) throws Exception {
    Path into = Files.createDirectories(work.resolve("commons"));
    untar(archive, into);
    return DirectorySnapshot.of(into);
  }

  /** Pinot's reading path: the codec detected by commons-compress, then its tar reader. */
  private static void untar(byte[] archive, Path into) throws Exception {
    try (InputStream compressed =
            new CompressorStreamFactory()
                .createCompressorInputStream(
                    new BufferedInputStream(new java.io.ByteArrayInputStream(archive)));
        TarArchiveInputStream tar = new TarArchiveInputStream(compressed)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path target = into.resolve(entry.getName()).normalize();
        assertThat(target.startsWith(into)).as("entry %s inside", entry.getName()).isTrue();
        if (entry.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(tar, target);
        }
      }
    }
  }

  private Map<String, String> gnuTar(Path file, Codec codec) throws IOException {
    assumeOrNote("tar");
    Path into = Files.createDirectories(work.resolve("gnu-tar"));
    String[] args =
        codec == Codec.GZIP
            ? new String[] {"tar", "-xzf", file.toString()}
            : new String[] {"tar", "--zstd", "-xf", file.toString()};
    if (codec == Codec.ZSTD) {
      assumeOrNote("zstd");
    }
    Result r = run(into, args);
    assertThat(r.exitCode).as("%s: %s", String.join(" ", args), r.stderr).isZero();
    return DirectorySnapshot.of(into);
  }

  private Map<String, String> ours(byte[] archive) {
    Path dataDir = work.resolve("data");
    SegmentExtractor extractor =
        new SegmentExtractor(
            ExtractionConfig.defaults(),
            CrypterRegistry.fromConfig(CrypterConfig.defaults()),
            scheduler);
    ExtractionResult result =
        extractor
            .extract(TestArchives.chunks(archive, 64 * 1024), ExtractionRequest.of(dataDir, TABLE))
            .block(TIMEOUT);
    return DirectorySnapshot.of(result.directory());
  }

  /** The first Pinot 1.5.0 fixture, unpacked (by Pinot's own reading path). */
  private Path pinotSegment() throws Exception {
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    Path into = Files.createDirectories(work.resolve("segments"));
    untar(PinotFixtures.bytes(fixture), into);
    return into.resolve(fixture.segmentName());
  }

  private Path syntheticSegment() throws IOException {
    Random random = new Random(61);
    Map<String, byte[]> files = new TreeMap<>();
    byte[] column = new byte[10 * 1024 * 1024];
    for (int i = 0; i < column.length; i += 4) {
      int v = random.nextInt(1 << (i % 7 == 0 ? 30 : 12));
      column[i] = (byte) v;
      column[i + 1] = (byte) (v >>> 8);
      column[i + 2] = (byte) (v >>> 16);
      column[i + 3] = (byte) (v >>> 24);
    }
    files.put("v3/columns.psf", column);
    files.put("v3/index_map", "userId.forward_index.startOffset = 0\n".getBytes());
    files.put("v3/metadata.properties", "segment.name = events_1_2_0\n".getBytes());
    Path segment = work.resolve("segments/events_1_2_0");
    for (Map.Entry<String, byte[]> f : TestArchives.segmentFiles(files).entrySet()) {
      Path p = segment.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      Files.write(p, f.getValue());
    }
    return segment;
  }

  private static void assumeOrNote(String command) {
    boolean present = run(Path.of("."), "sh", "-c", "command -v " + command).exitCode == 0;
    assumeTrue(present, command + " is not installed on this machine: its check is skipped");
  }

  private record Result(int exitCode, String stderr) {}

  private static Result run(Path dir, String... command) {
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.PIPE)
              .start();
      p.getOutputStream().close();
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("did not finish: " + List.of(command));
      }
      return new Result(p.exitValue(), err);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + List.of(command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
