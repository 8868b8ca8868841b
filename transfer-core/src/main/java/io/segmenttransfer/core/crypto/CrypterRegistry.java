package io.segmenttransfer.core.crypto;

import io.segmenttransfer.core.error.CrypterException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps the crypter name in segment metadata ({@code segment.crypter}) to a {@link SegmentCrypter}.
 * Callers resolve before they write any byte of a segment, so a segment nobody can decrypt fails up
 * front with a message that says what to configure.
 *
 * <p>Names compare case-insensitively (Pinot writes {@code NoOpPinotCrypter}, hand-edited metadata
 * does not always). No name, {@code noop} and {@code none} mean the no-op crypter. Thread-safe.
 */
public final class CrypterRegistry {

  private static final List<String> NO_OP_ALIASES = List.of("noop", "none");

  private final Map<String, SegmentCrypter> byKey = new ConcurrentHashMap<>();

  private CrypterRegistry() {
    register(NoOpCrypter.INSTANCE);
  }

  /**
   * The no-op crypter, plus the Tink crypter when {@code config} names a keyset file.
   *
   * @throws CrypterException naming the file when the keyset is missing or unusable, so a bad
   *     configuration fails at startup rather than on the first encrypted segment
   */
  public static CrypterRegistry fromConfig(CrypterConfig config) {
    CrypterRegistry registry = new CrypterRegistry();
    if (config.tinkKeysetFile() != null) {
      registry.register(
          TinkStreamingCrypter.fromKeysetFile(config.tinkKeysetFile(), config.associatedData()));
    }
    return registry;
  }

  /**
   * Adds a crypter under its {@link SegmentCrypter#name()}.
   *
   * @throws IllegalArgumentException when the name (in any case) or a no-op alias is taken
   */
  public CrypterRegistry register(SegmentCrypter crypter) {
    String name = crypter.name();
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a crypter needs a name: " + crypter);
    }
    String key = key(name);
    if (NO_OP_ALIASES.contains(key)) {
      throw new IllegalArgumentException("crypter name " + name + " is an alias of the no-op");
    }
    SegmentCrypter previous = byKey.putIfAbsent(key, crypter);
    if (previous != null) {
      throw new IllegalArgumentException(
          "crypter " + name + " is already registered as " + previous.name());
    }
    return this;
  }

  /** Like {@link #resolve(String, String)} without a segment to name in errors. */
  public SegmentCrypter resolve(String name) {
    return resolve(name, null);
  }

  /**
   * The crypter called {@code name}: null or blank, {@code noop} and {@code none} give the no-op.
   *
   * @param subject the segment whose metadata names the crypter, for error messages; may be null
   * @throws CrypterException when the name is unknown (listing the known names), or is the Tink
   *     crypter while no keyset is configured
   */
  public SegmentCrypter resolve(String name, String subject) {
    if (name == null || name.isBlank()) {
      return NoOpCrypter.INSTANCE;
    }
    String key = key(name);
    if (NO_OP_ALIASES.contains(key)) {
      return NoOpCrypter.INSTANCE;
    }
    SegmentCrypter crypter = byKey.get(key);
    if (crypter != null) {
      return crypter;
    }
    if (key.equals(key(TinkStreamingCrypter.NAME))) {
      throw new CrypterException(
          subject,
          "crypter "
              + TinkStreamingCrypter.NAME
              + " needs a keyset: give --keyset FILE (the server's keyset setting), a cleartext"
              + " Tink JSON keyset");
    }
    List<String> known = new ArrayList<>();
    for (String registered : names()) {
      known.add(
          registered.equals(NoOpCrypter.NAME)
              ? registered + " (also " + String.join(", ", NO_OP_ALIASES) + ")"
              : registered);
    }
    if (!byKey.containsKey(key(TinkStreamingCrypter.NAME))) {
      // Not registered without a keyset, but a name a person may use: say how it becomes usable.
      known.add(TinkStreamingCrypter.NAME + " (with --keyset)");
    }
    throw new CrypterException(
        subject,
        "unknown crypter '" + name.trim() + "': known crypters are " + String.join(", ", known));
  }

  /** The names of the registered crypters, as they spell them, sorted case-insensitively. */
  public List<String> names() {
    List<String> names = new ArrayList<>();
    byKey.values().forEach(c -> names.add(c.name()));
    names.sort(String.CASE_INSENSITIVE_ORDER);
    return List.copyOf(names);
  }

  private static String key(String name) {
    return name.trim().toLowerCase(Locale.ROOT);
  }
}
