package io.segmenttransfer.core.crypto;

import io.segmenttransfer.core.stream.ByteTransform;
import io.segmenttransfer.core.stream.PassThroughTransform;

/**
 * Pinot's default crypter: the archive is stored in the clear, so both directions copy bytes
 * unchanged. Segments whose metadata names no crypter resolve to this one.
 */
public final class NoOpCrypter implements SegmentCrypter {

  /** The name Pinot writes into {@code segment.crypter}. */
  public static final String NAME = "NoOpPinotCrypter";

  /** Stateless, so one instance serves every segment. */
  public static final NoOpCrypter INSTANCE = new NoOpCrypter();

  private NoOpCrypter() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ByteTransform newDecryptor(String subject) {
    return new PassThroughTransform();
  }

  @Override
  public ByteTransform newEncryptor(String subject) {
    return new PassThroughTransform();
  }

  @Override
  public String toString() {
    return NAME;
  }
}
