package io.segmenttransfer.http.auth;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.regex.Pattern;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * BCrypt password hashes, through Spring Security's {@link BCrypt} (the static class: its encoder
 * wrapper needs commons-logging, which this project does not carry). A check costs about 2^cost
 * rounds of Blowfish key setup, tenths of a second at the default cost: never run one on an event
 * loop.
 */
public final class PasswordHashes {

  /**
   * The cost {@code hash-password} uses: 2^12 rounds, about 0.25 s on a current core (0.8 s on a
   * busy 2-core test machine), which OWASP's minimum of 10 leaves room above.
   */
  public static final int DEFAULT_COST = 12;

  public static final int MIN_COST = 4;
  public static final int MAX_COST = 31;

  /** BCrypt reads only the first 72 bytes of a password; longer ones are refused, not cut. */
  public static final int MAX_PASSWORD_BYTES = 72;

  /** {@code $2a$}, {@code $2b$} or {@code $2y$}, a two-digit cost, 22 chars of salt, 31 of hash. */
  private static final Pattern WELL_FORMED =
      Pattern.compile("\\$2[aby]\\$\\d{2}\\$[./A-Za-z0-9]{53}");

  private static final SecureRandom RANDOM = new SecureRandom();

  private PasswordHashes() {}

  /** A new BCrypt hash of {@code password}, with a random salt. */
  public static String hash(char[] password, int cost) {
    if (cost < MIN_COST || cost > MAX_COST) {
      throw new IllegalArgumentException(
          "bcrypt cost must be " + MIN_COST + "-" + MAX_COST + ", was " + cost);
    }
    byte[] bytes = utf8(password);
    try {
      if (bytes.length == 0) {
        throw new IllegalArgumentException("the password is empty");
      }
      if (bytes.length > MAX_PASSWORD_BYTES) {
        throw new IllegalArgumentException(
            "the password is longer than "
                + MAX_PASSWORD_BYTES
                + " bytes, which bcrypt cannot use whole; use a token (hash-token) for long secrets");
      }
      return BCrypt.hashpw(bytes, BCrypt.gensalt(cost, RANDOM));
    } finally {
      java.util.Arrays.fill(bytes, (byte) 0);
    }
  }

  /**
   * Whether {@code password} is the one {@code hash} was made from. BCrypt compares without an
   * early return. A password over 72 bytes never matches (it could not have been hashed whole).
   */
  public static boolean matches(byte[] password, String hash) {
    if (password.length > MAX_PASSWORD_BYTES || !isWellFormed(hash)) {
      return false;
    }
    return BCrypt.checkpw(password, hash);
  }

  /** Whether {@code hash} looks like a BCrypt hash this class can check. */
  public static boolean isWellFormed(String hash) {
    return WELL_FORMED.matcher(hash).matches()
        && Integer.parseInt(hash.substring(4, 6)) >= MIN_COST;
  }

  private static byte[] utf8(char[] chars) {
    java.nio.ByteBuffer buffer = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(chars));
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    if (buffer.hasArray()) {
      java.util.Arrays.fill(buffer.array(), (byte) 0);
    }
    return bytes;
  }
}
