package io.segmenttransfer.server.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Sixteen hex digits that change with a file (its path, size and time) and whatever else is
 * appended: the launcher names what it caches after what it was made from, so a rebuilt jar or
 * another JVM never meets a stale copy. Two 32-bit string hashes, the identity's and its reverse's:
 * no {@code MessageDigest}, whose providers the parent JVM would otherwise load on every command.
 */
final class Fingerprint {

  private final StringBuilder identity = new StringBuilder();

  private Fingerprint() {}

  /**
   * Starts with the file's real path (so {@code ./x.jar}, {@code x.jar} and a link to it are one
   * file), size and modification time.
   */
  static Fingerprint ofFile(Path file) throws IOException {
    Fingerprint fingerprint = new Fingerprint();
    fingerprint
        .identity
        .append(file.toRealPath())
        .append('|')
        .append(Files.size(file))
        .append('|')
        .append(Files.getLastModifiedTime(file).toMillis());
    return fingerprint;
  }

  Fingerprint and(String more) {
    identity.append('|').append(more);
    return this;
  }

  String hex() {
    String text = identity.toString();
    return hex8(text.hashCode())
        .concat(hex8(new StringBuilder(text).reverse().toString().hashCode()));
  }

  /** Eight lower-case hex digits, as {@code %08x} formats an int. */
  private static String hex8(int value) {
    String digits = Integer.toHexString(value);
    return "00000000".substring(digits.length()).concat(digits);
  }
}
