package io.segmenttransfer.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@link PinotFetchChild}'s class file alone into a directory, the one entry of the child
 * JVMs' class path that is not Pinot's or the plugin's: wherever the benchmarks run from (their
 * classes directory or the shaded benchmarks.jar, which holds Netty, the AWS SDK and Jackson), the
 * children get that one class and nothing else of the benchmarks.
 */
final class PinotFetchChildCopy {

  private PinotFetchChildCopy() {}

  /**
   * Writes the class under {@code dir} (its package's directories included); returns {@code dir}.
   */
  static Path write(Path dir) throws IOException {
    String resource = PinotFetchChild.class.getSimpleName() + ".class";
    Path target =
        dir.resolve(PinotFetchChild.class.getPackageName().replace('.', '/')).resolve(resource);
    Files.createDirectories(target.getParent());
    try (InputStream in = PinotFetchChild.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("cannot read " + resource + " from the benchmarks' class path");
      }
      Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return dir;
  }
}
