package io.segmenttransfer.core.archive.codec;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.util.Native;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.stream.ByteTransform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A fresh JVM's first use of zstd, for {@link ZstdNativeLibraryTest}: builds a zstd encoder (which
 * loads the native library), round-trips bytes through zstd and prints what it saw, and the file of
 * the library it mapped.
 */
public final class ZstdNativeLibraryProbe {

  private ZstdNativeLibraryProbe() {}

  public static void main(String[] args) throws Exception {
    try (ByteTransform encoder = Codecs.encoder(Codec.ZSTD, "probe")) {
      byte[] data = "zstd from the library this JVM loaded".repeat(100).getBytes(UTF_8);
      byte[] decoded = Zstd.decompress(Zstd.compress(data), data.length);
      System.out.println(
          "loaded=" + Native.isLoaded() + " roundtrip=" + Arrays.equals(data, decoded));
    }
    Path maps = Path.of("/proc/self/maps");
    if (Files.exists(maps)) {
      // Read through a reader: Files.lines splits by the file's size, which /proc reports as 0.
      Files.readAllLines(maps).stream()
          .filter(line -> line.contains("libzstd-jni"))
          .map(line -> line.substring(line.indexOf('/')))
          .distinct()
          .forEach(path -> System.out.println("mapped=" + path));
    }
  }
}
