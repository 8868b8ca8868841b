package io.segmenttransfer.core.crypto;

import io.segmenttransfer.core.error.CrypterException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Crypter settings.
 *
 * @param tinkKeysetFile a Tink cleartext JSON keyset (see {@link
 *     TinkStreamingCrypter#generateKeysetJson()}); null when segments are not Tink-encrypted, and
 *     then a segment naming {@link TinkStreamingCrypter#NAME} fails to resolve
 * @param associatedData authenticated with every Tink stream, not encrypted; null means none. Both
 *     sides must use the same bytes.
 */
public record CrypterConfig(Path tinkKeysetFile, byte[] associatedData) {

  public CrypterConfig {
    if (tinkKeysetFile != null && tinkKeysetFile.toString().isBlank()) {
      throw new CrypterException(null, "tinkKeysetFile is empty: give a path or leave it unset");
    }
    // Copied so that neither the caller nor a reader can change the bytes under a running stream.
    associatedData = associatedData == null ? new byte[0] : associatedData.clone();
  }

  /** No keyset, no associated data: only the no-op crypter resolves. */
  public static CrypterConfig defaults() {
    return new CrypterConfig(null, null);
  }

  /** The given keyset file and no associated data. */
  public static CrypterConfig tink(Path keysetFile) {
    return new CrypterConfig(keysetFile, null);
  }

  /** A copy of the associated data; empty when none. */
  @Override
  public byte[] associatedData() {
    return associatedData.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CrypterConfig other
        && Objects.equals(tinkKeysetFile, other.tinkKeysetFile)
        && Arrays.equals(associatedData, other.associatedData);
  }

  @Override
  public int hashCode() {
    return 31 * Objects.hashCode(tinkKeysetFile) + Arrays.hashCode(associatedData);
  }

  @Override
  public String toString() {
    return "CrypterConfig[tinkKeysetFile="
        + tinkKeysetFile
        + ", associatedData="
        + HexFormat.of().formatHex(associatedData)
        + "]";
  }
}
