package io.segmenttransfer.core.archive.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.util.Native;
import com.github.luben.zstd.util.ZstdVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * zstd-jni's library from a directory of ours: zstd-jni's own resource name, unpacked once, and a
 * fresh JVM that loads it from there and writes no temporary copy.
 */
class ZstdNativeLibraryTest {

  @TempDir Path dir;

  @Test
  void theResourceIsTheOneZstdJniPicksForEachPlatform() {
    String v = "1.5.7-28";
    assertThat(ZstdNativeLibrary.resourceName("Linux", "amd64", v))
        .isEqualTo("/linux/amd64/libzstd-jni-1.5.7-28.so");
    assertThat(ZstdNativeLibrary.resourceName("Linux", "aarch64", v))
        .isEqualTo("/linux/aarch64/libzstd-jni-1.5.7-28.so");
    assertThat(ZstdNativeLibrary.resourceName("Mac OS X", "amd64", v))
        .isEqualTo("/darwin/x86_64/libzstd-jni-1.5.7-28.dylib");
    assertThat(ZstdNativeLibrary.resourceName("Mac OS X", "aarch64", v))
        .isEqualTo("/darwin/aarch64/libzstd-jni-1.5.7-28.dylib");
    assertThat(ZstdNativeLibrary.resourceName("Windows 11", "amd64", v))
        .isEqualTo("/win/amd64/libzstd-jni-1.5.7-28.dll");
    // And zstd-jni ships the one this machine needs.
    String here =
        ZstdNativeLibrary.resourceName(
            System.getProperty("os.name"), System.getProperty("os.arch"), ZstdVersion.VERSION);
    assertThat(Native.class.getResource(here)).as(here).isNotNull();
  }

  @Test
  void theLibraryIsUnpackedOnceAndFoundAgain() throws IOException {
    String resource =
        ZstdNativeLibrary.resourceName(
            System.getProperty("os.name"), System.getProperty("os.arch"), ZstdVersion.VERSION);

    Path library = ZstdNativeLibrary.unpacked(dir, resource);

    byte[] expected;
    try (var in = Native.class.getResourceAsStream(resource)) {
      expected = in.readAllBytes();
    }
    assertThat(library).hasBinaryContent(expected).hasParent(dir);
    FileTime written = FileTime.from(Instant.now().minusSeconds(3600));
    Files.setLastModifiedTime(library, written);
    assertThat(ZstdNativeLibrary.unpacked(dir, resource)).isEqualTo(library);
    assertThat(Files.getLastModifiedTime(library)).isEqualTo(written);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(library);
    }
  }

  @Test
  void aPlatformZstdJniDoesNotShipIsLeftToZstdJni() throws IOException {
    assertThat(ZstdNativeLibrary.unpacked(dir, "/plan9/mips/libzstd-jni-0.so")).isNull();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  /** Runs {@link ZstdNativeLibraryProbe} in a fresh JVM with the directory named; its output. */
  private static String probe(Path nativeDir, Path tmp) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-D" + ZstdNativeLibrary.DIR_PROPERTY + "=" + nativeDir);
    command.add("-Djava.io.tmpdir=" + tmp);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ZstdNativeLibraryProbe.class.getName());
    Process probe = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(probe.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(probe.exitValue()).as(out).isZero();
    assertThat(out).contains("loaded=true roundtrip=true");
    return out;
  }

  private static boolean onLinux() {
    return Files.exists(Path.of("/proc/self/maps"));
  }

  @Test
  void aFreshJvmLoadsItFromTheDirectoryAndWritesNoTemporaryCopy() throws Exception {
    Path nativeDir = dir.resolve("native");
    Path tmp = Files.createDirectories(dir.resolve("java-tmp"));
    for (int run = 1; run <= 2; run++) {
      String out = probe(nativeDir, tmp);

      try (Stream<Path> libraries = Files.list(nativeDir)) {
        assertThat(libraries)
            .singleElement()
            .satisfies(p -> assertThat(p.toString()).contains("libzstd-jni"));
      }
      // The library mapped is the one in the directory (zstd-jni's own loading maps a temporary
      // copy of its own, deleted once loaded).
      if (onLinux()) {
        assertThat(out)
            .containsPattern("mapped=" + Pattern.quote(nativeDir.toString()) + "/\\S*libzstd-jni")
            .doesNotContain("mapped=" + tmp);
      }
      try (Stream<Path> temporary = Files.list(tmp)) {
        assertThat(temporary).isEmpty();
      }
    }
  }

  @Test
  void aCopyThatDoesNotLoadIsLeftToZstdJniAndReplacedNextTime() throws Exception {
    Path nativeDir = Files.createDirectories(dir.resolve("native"));
    Path tmp = Files.createDirectories(dir.resolve("java-tmp"));
    String resource =
        ZstdNativeLibrary.resourceName(
            System.getProperty("os.name"), System.getProperty("os.arch"), ZstdVersion.VERSION);
    Path library = nativeDir.resolve(resource.substring(1).replace('/', '-'));
    Files.writeString(library, "not a shared library");

    String first = probe(nativeDir, tmp);

    // zstd works (zstd-jni loaded its own copy) and the bad file is gone.
    assertThat(library).doesNotExist();
    if (onLinux()) {
      assertThat(first).doesNotContain("mapped=" + nativeDir);
    }
    String second = probe(nativeDir, tmp);
    assertThat(library).isRegularFile();
    if (onLinux()) {
      assertThat(second).contains("mapped=" + library);
    }
  }
}
