package io.segmenttransfer.core.crypto;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.Parameters;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.AesCtrHmacStreamingParameters;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingParameters;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import com.google.crypto.tink.streamingaead.StreamingAeadParameters;
import io.segmenttransfer.core.error.CrypterException;
import io.segmenttransfer.core.stream.ByteTransform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

/**
 * Authenticated streaming encryption with Google Tink's {@link StreamingAead} (AES-GCM-HKDF by
 * default), keyed by a Tink cleartext JSON keyset.
 *
 * <p><b>Segment size.</b> {@link #generateKeysetJson()} uses {@code AES256_GCM_HKDF_1MB}: a 1 MiB
 * ciphertext segment costs one GCM initialisation and a 16-byte tag per MiB, so throughput stays
 * close to raw AES-GCM and the size overhead is negligible, while the memory a stream holds (about
 * three segments inside Tink and this adapter) stays around 3 MiB per concurrent download. 4 KiB
 * segments would cut that memory but pay a cipher initialisation per 4 KiB and 0.4% of tags;
 * segment archives are tens of MiB to GiB, so the larger segment streams better. The segment size
 * is a property of the key, so decryption follows whatever keys the keyset holds.
 *
 * <p><b>Authentication.</b> Streaming AEAD authenticates each segment on its own and marks the last
 * one, so a decryptor releases a segment's plaintext only after that segment's tag verified, and
 * the check of the final segment catches truncation, including a cut exactly at a segment boundary.
 * Plaintext of earlier segments is therefore released before a later segment fails: consumers must
 * treat the output as unverified until the decryptor's {@code read} returns -1 (the extraction
 * pipeline writes into a temporary directory and only renames it into place after that).
 *
 * <p><b>Keys.</b> Every key in the keyset may decrypt (Tink tries each, which is how keys rotate);
 * the primary key encrypts. The optional associated data is authenticated but not encrypted; a
 * ciphertext made with other associated data fails like a wrong key.
 */
public final class TinkStreamingCrypter implements SegmentCrypter {

  /** The name segment metadata uses for this crypter ({@code segment.crypter}). */
  public static final String NAME = "TinkStreamingAeadCrypter";

  /** The parameters {@link #generateKeysetJson()} uses; see the class comment for why 1 MiB. */
  public static final StreamingAeadParameters DEFAULT_PARAMETERS =
      PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB;

  private final StreamingAead aead;
  private final byte[] associatedData;
  private final int ciphertextSegmentSize;

  private TinkStreamingCrypter(
      StreamingAead aead, byte[] associatedData, int ciphertextSegmentSize) {
    this.aead = aead;
    this.associatedData = associatedData;
    this.ciphertextSegmentSize = ciphertextSegmentSize;
  }

  /**
   * Loads a cleartext JSON keyset from {@code keysetFile}.
   *
   * @param associatedData authenticated with every stream; null means none
   * @throws CrypterException naming the file when it is missing, unreadable or not a streaming AEAD
   *     keyset
   */
  public static TinkStreamingCrypter fromKeysetFile(Path keysetFile, byte[] associatedData) {
    String json;
    try {
      json = Files.readString(keysetFile, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CrypterException(null, "Tink keyset file " + keysetFile + " does not exist", e);
    } catch (IOException e) {
      throw new CrypterException(null, "cannot read Tink keyset file " + keysetFile + ": " + e, e);
    }
    return fromKeysetJson(json, associatedData, "Tink keyset file " + keysetFile);
  }

  /**
   * Parses a cleartext JSON keyset, as {@link #generateKeysetJson()} writes it.
   *
   * @param associatedData authenticated with every stream; null means none
   * @throws CrypterException when the text is not a streaming AEAD keyset
   */
  public static TinkStreamingCrypter fromKeysetJson(String keysetJson, byte[] associatedData) {
    return fromKeysetJson(keysetJson, associatedData, "Tink keyset");
  }

  private static TinkStreamingCrypter fromKeysetJson(
      String keysetJson, byte[] associatedData, String origin) {
    registerTink(origin);
    KeysetHandle handle;
    try {
      handle = TinkJsonProtoKeysetFormat.parseKeyset(keysetJson, InsecureSecretKeyAccess.get());
    } catch (GeneralSecurityException | RuntimeException e) {
      // Tink reports malformed JSON as GeneralSecurityException, but its JSON parser can also
      // throw unchecked exceptions on odd input; either way the file is unusable.
      throw new CrypterException(
          null, origin + " is not a valid Tink cleartext JSON keyset: " + e.getMessage(), e);
    }
    StreamingAead aead;
    try {
      aead = handle.getPrimitive(RegistryConfiguration.get(), StreamingAead.class);
    } catch (GeneralSecurityException e) {
      throw new CrypterException(
          null, origin + " holds no streaming AEAD keys: " + e.getMessage(), e);
    }
    int segmentSize = ciphertextSegmentSize(handle.getPrimary().getKey().getParameters(), origin);
    byte[] ad = associatedData == null ? new byte[0] : associatedData.clone();
    return new TinkStreamingCrypter(aead, ad, segmentSize);
  }

  /** A fresh keyset with one {@link #DEFAULT_PARAMETERS} key, as cleartext JSON. */
  public static String generateKeysetJson() {
    return generateKeysetJson(DEFAULT_PARAMETERS);
  }

  /**
   * A fresh keyset with one key of the given parameters (for example {@code
   * PredefinedStreamingAeadParameters.AES256_GCM_HKDF_4KB}), as cleartext JSON. The result is
   * secret key material: store it like a password.
   */
  public static String generateKeysetJson(StreamingAeadParameters parameters) {
    registerTink("Tink keyset");
    try {
      KeysetHandle handle = KeysetHandle.generateNew(parameters);
      return TinkJsonProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get());
    } catch (GeneralSecurityException e) {
      throw new CrypterException(null, "cannot generate a Tink keyset: " + e.getMessage(), e);
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ByteTransform newDecryptor(String subject) {
    return new TinkDecryptingTransform(aead, associatedData, subject);
  }

  @Override
  public ByteTransform newEncryptor(String subject) {
    return new TinkEncryptingTransform(aead, associatedData, ciphertextSegmentSize, subject);
  }

  /** Bytes per ciphertext segment of the primary (encrypting) key. */
  public int ciphertextSegmentSize() {
    return ciphertextSegmentSize;
  }

  @Override
  public String toString() {
    return NAME + "[segment " + ciphertextSegmentSize + " bytes]";
  }

  /**
   * The one place Tink's failures become project exceptions. Tink signals authentication failures
   * (tampering, truncation, wrong key or associated data) as {@link IOException} wrapping a {@link
   * GeneralSecurityException}, or as the latter directly; the transforms also route unchecked
   * exceptions from Tink here, because a caller of a crypter must only ever see {@link
   * CrypterException}.
   */
  static CrypterException failure(String subject, boolean decrypting, Exception cause) {
    String message =
        decrypting
            ? "decryption failed, the ciphertext is not authentic (tampered, truncated, extended,"
                + " or made with another key or associated data): "
            : "encryption failed: ";
    // Tink appends a multi-line dump of its channel state to some messages; a failure is one line.
    String detail =
        cause.getClass().getSimpleName()
            + ": "
            + String.valueOf(cause.getMessage()).replaceAll("\\s*\\R\\s*", " ");
    return new CrypterException(subject, message + detail, cause);
  }

  private static int ciphertextSegmentSize(Parameters parameters, String origin) {
    // The encryptor's output buffer is sized to one ciphertext segment, so the size must be known;
    // these are the two streaming AEAD key types Tink ships.
    if (parameters instanceof AesGcmHkdfStreamingParameters gcm) {
      return gcm.getCiphertextSegmentSizeBytes();
    }
    if (parameters instanceof AesCtrHmacStreamingParameters ctr) {
      return ctr.getCiphertextSegmentSizeBytes();
    }
    throw new CrypterException(null, origin + ": unsupported primary key parameters " + parameters);
  }

  private static void registerTink(String origin) {
    try {
      // Idempotent and cheap after the first call; registers the streaming AEAD key managers the
      // keyset parser and RegistryConfiguration need.
      StreamingAeadConfig.register();
    } catch (GeneralSecurityException e) {
      throw new CrypterException(
          null, origin + ": cannot register Tink streaming AEAD: " + e.getMessage(), e);
    }
  }
}
