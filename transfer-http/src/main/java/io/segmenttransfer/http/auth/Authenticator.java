package io.segmenttransfer.http.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Turns an {@code Authorization} header into a {@link Principal}: {@code Bearer <token>} for a
 * principal with a {@code token-sha256}, {@code Basic base64(name:password)} for one with a {@code
 * password-hash}.
 *
 * <p>Tokens are checked by comparing the SHA-256 of the offered token with every token hash of the
 * file in constant time ({@link MessageDigest#isEqual}), without stopping at the first match, so
 * the time taken says nothing about which or how many bytes matched.
 *
 * <p>A BCrypt check takes tenths of a second of CPU. It runs on the given scheduler, never on an
 * event loop; at most {@link #DEFAULT_MAX_PENDING_CHECKS} run or wait at once (more are refused
 * with {@link TooManyChecksException}, answered 503), so a flood of Basic requests with wrong
 * passwords costs bounded CPU. Successful checks are remembered ({@link #DEFAULT_CACHE_SIZE} pairs,
 * least recently used evicted) as an HMAC of name and password under a key made at random for this
 * process, so a client sending the same right password on every request pays BCrypt once and memory
 * never holds a fast, unsalted hash of a password.
 */
public final class Authenticator {

  public static final int DEFAULT_MAX_PENDING_CHECKS = 8;
  public static final int DEFAULT_CACHE_SIZE = 1024;

  /** The BCrypt checks asked for while {@link #DEFAULT_MAX_PENDING_CHECKS} were running. */
  public static final class TooManyChecksException extends RuntimeException {
    TooManyChecksException() {
      super("too many password checks in progress", null, false, false);
    }
  }

  private record TokenPrincipal(byte[] sha256, Principal principal) {}

  private final List<TokenPrincipal> tokens;
  private final Map<String, AuthFile.Entry> passwords = new HashMap<>();

  /** A real hash checked for unknown names, so they cost what a known name costs. */
  private final @Nullable String decoyHash;

  private final Scheduler checks;
  private final int maxPending;
  private final AtomicInteger pending = new AtomicInteger();
  private final Map<String, Boolean> verified;
  private final SecretKeySpec cacheKey;

  public Authenticator(AuthFile file, Scheduler checks) {
    this(file, checks, DEFAULT_MAX_PENDING_CHECKS, DEFAULT_CACHE_SIZE);
  }

  /**
   * @param checks where BCrypt checks run: a scheduler that may be kept busy (not an event loop)
   * @param maxPending how many BCrypt checks may run or wait at once
   * @param cacheSize how many successful (name, password) pairs are remembered
   */
  public Authenticator(AuthFile file, Scheduler checks, int maxPending, int cacheSize) {
    this.checks = checks;
    this.maxPending = maxPending;
    this.tokens =
        file.entries().stream()
            .filter(e -> e.tokenSha256() != null)
            .map(e -> new TokenPrincipal(HexFormat.of().parseHex(e.tokenSha256()), e.principal()))
            .toList();
    String decoy = null;
    for (AuthFile.Entry entry : file.entries()) {
      if (entry.passwordHash() != null) {
        passwords.put(entry.principal().name(), entry);
        decoy = decoy == null ? entry.passwordHash() : decoy;
      }
    }
    this.decoyHash = decoy;
    this.verified =
        java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
              @Override
              protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > cacheSize;
              }
            });
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    this.cacheKey = new SecretKeySpec(key, "HmacSHA256");
  }

  /**
   * The principal the header proves, or empty when there is no header, an unknown scheme, a
   * malformed value or a wrong secret. Completes at once for tokens, no header, and passwords
   * checked before; otherwise after a BCrypt check on the checks scheduler. Errors with {@link
   * TooManyChecksException} when too many checks are pending.
   */
  public Mono<Principal> authenticate(@Nullable String authorization) {
    if (authorization == null) {
      return Mono.empty();
    }
    int space = authorization.indexOf(' ');
    if (space < 0) {
      return Mono.empty();
    }
    String scheme = authorization.substring(0, space).toLowerCase(Locale.ROOT);
    String value = authorization.substring(space + 1).strip();
    return switch (scheme) {
      case "bearer" -> Mono.justOrEmpty(bearer(value));
      case "basic" -> basic(value);
      default -> Mono.empty();
    };
  }

  private @Nullable Principal bearer(String token) {
    byte[] offered = TokenHashes.sha256(token);
    Principal found = null;
    for (TokenPrincipal candidate : tokens) {
      // No early exit: every stored hash is compared, whatever matched.
      if (MessageDigest.isEqual(offered, candidate.sha256()) & found == null) {
        found = candidate.principal();
      }
    }
    return found;
  }

  private Mono<Principal> basic(String encoded) {
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException notBase64) {
      return Mono.empty();
    }
    int colon = indexOf(decoded, (byte) ':');
    if (colon < 0) {
      Arrays.fill(decoded, (byte) 0);
      return Mono.empty();
    }
    String name = new String(decoded, 0, colon, StandardCharsets.UTF_8);
    byte[] password = Arrays.copyOfRange(decoded, colon + 1, decoded.length);
    Arrays.fill(decoded, (byte) 0);
    AuthFile.Entry entry = passwords.get(name);
    String hash = entry != null ? entry.passwordHash() : decoyHash;
    if (hash == null) {
      // No principal in the file has a password: nothing to check, nothing to leak by timing.
      Arrays.fill(password, (byte) 0);
      return Mono.empty();
    }
    String cacheKey = cacheKey(name, password);
    if (entry != null && verified.get(cacheKey) != null) {
      Arrays.fill(password, (byte) 0);
      return Mono.just(entry.principal());
    }
    return Mono.defer(
            () -> {
              if (pending.incrementAndGet() > maxPending) {
                pending.decrementAndGet();
                return Mono.error(new TooManyChecksException());
              }
              return Mono.fromCallable(
                      () -> {
                        if (PasswordHashes.matches(password, hash) && entry != null) {
                          verified.put(cacheKey, Boolean.TRUE);
                          return entry.principal();
                        }
                        return null;
                      })
                  .subscribeOn(checks)
                  // Also on cancel: a check given up on frees its place.
                  .doFinally(signal -> pending.decrementAndGet());
            })
        .doFinally(signal -> Arrays.fill(password, (byte) 0));
  }

  /** HMAC-SHA256 of name, NUL, password under this process's random key. */
  private String cacheKey(String name, byte[] password) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(cacheKey);
      mac.update(name.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      return HexFormat.of().formatHex(mac.doFinal(password));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JVM has HmacSHA256", e);
    }
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
