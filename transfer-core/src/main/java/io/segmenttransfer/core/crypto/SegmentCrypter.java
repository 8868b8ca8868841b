package io.segmenttransfer.core.crypto;

import io.segmenttransfer.core.stream.ByteTransform;

/**
 * Decrypts and encrypts segment archives as streams of {@link java.nio.ByteBuffer}s, never file to
 * file. Pinot names the crypter of a segment in its metadata ({@code segment.crypter}, for example
 * {@code NoOpPinotCrypter}); {@link CrypterRegistry#resolve(String)} maps that name to an instance
 * before any byte of the segment is written.
 *
 * <p>Implementations are thread-safe and cheap to share; each call returns a fresh, single-use
 * {@link ByteTransform} that one thread at a time drives and that its caller closes on every path.
 * The transforms hold at most about one cipher segment of their own data, whatever the stream's
 * size, and never retain the caller's buffers beyond what {@link ByteTransform#offer} allows.
 */
public interface SegmentCrypter {

  /**
   * The name Pinot records in segment metadata. {@link CrypterRegistry} compares names
   * case-insensitively.
   */
  String name();

  /**
   * A transform from ciphertext to plaintext. Failed authentication (tampering, truncation,
   * trailing bytes, wrong key or associated data) is thrown as a {@code CrypterException} naming
   * {@code subject}; plaintext emitted before such a failure must be treated as unverified until
   * {@code read} returns -1.
   *
   * @param subject the segment (or archive) the bytes belong to, used in error messages
   */
  ByteTransform newDecryptor(String subject);

  /**
   * A transform from plaintext to ciphertext that {@link #newDecryptor(String)} of an equally
   * configured crypter accepts.
   *
   * @param subject the segment (or archive) the bytes belong to, used in error messages
   */
  ByteTransform newEncryptor(String subject);
}
