package io.segmenttransfer.core.error;

/**
 * A crypter problem: an unknown crypter name, missing or bad key material, or ciphertext that fails
 * authentication.
 */
public final class CrypterException extends SegmentTransferException {
  public CrypterException(String subject, String message) {
    super(subject, message, null);
  }

  public CrypterException(String subject, String message, Throwable cause) {
    super(subject, message, cause);
  }
}
