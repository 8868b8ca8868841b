package io.segmenttransfer.http.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Bearer tokens: long random strings, stored as the lowercase hex SHA-256 of their UTF-8 bytes. A
 * fast hash is enough for them (unlike passwords) because a 256-bit random token cannot be guessed
 * from its hash; the file still never holds the token itself.
 */
public final class TokenHashes {

  /** Random bytes in a generated token: 256 bits. */
  public static final int TOKEN_BYTES = 32;

  private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private TokenHashes() {}

  /** A new token: 32 random bytes, URL-safe base64 without padding (43 characters). */
  public static String newToken() {
    byte[] bytes = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The SHA-256 of the token's UTF-8 bytes. */
  public static byte[] sha256(String token) {
    return sha256(token.getBytes(StandardCharsets.UTF_8));
  }

  public static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** What the auth file's {@code token-sha256} holds for {@code token}. */
  public static String sha256Hex(String token) {
    return HexFormat.of().formatHex(sha256(token));
  }

  /** Whether {@code text} is 64 lowercase hex digits. */
  public static boolean isHexSha256(String text) {
    return HEX_SHA256.matcher(text).matches();
  }
}
