/**
 * Segment encryption: SegmentCrypter names a crypter and makes its streaming transforms,
 * CrypterRegistry resolves the crypter a segment's metadata names (built from CrypterConfig), with
 * NoOpCrypter and TinkStreamingCrypter (Tink streaming AEAD) as the implementations. Failures are
 * CrypterExceptions.
 */
package io.segmenttransfer.core.crypto;
