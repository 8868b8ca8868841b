package io.segmenttransfer.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import io.segmenttransfer.core.stream.ByteTransform;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * 64 MiB flows through an encryptor whose output feeds a decryptor, in small random chunks, with
 * nothing of the stream kept by the test. After every call the bytes each transform has taken in
 * but not yet given out must stay within a couple of cipher segments, and the encryptor's own
 * buffer within one.
 */
class TinkMemoryBoundTest {

  private static final long TOTAL = 64L << 20;
  private static final int MAX_CHUNK = 16 * 1024;

  @Test
  void sixtyFourMebibytesStreamWithinTwoSegments() throws Exception {
    TinkStreamingCrypter crypter =
        TinkStreamingCrypter.fromKeysetJson(TinkStreamingCrypter.generateKeysetJson(), null);
    int segment = crypter.ciphertextSegmentSize();
    TinkEncryptingTransform encryptor = (TinkEncryptingTransform) crypter.newEncryptor("big");
    ByteTransform decryptor = crypter.newDecryptor("big");
    Bounds bounds = new Bounds(segment, encryptor, decryptor);

    Random random = new Random(64);
    MessageDigest sent = MessageDigest.getInstance("SHA-256");
    MessageDigest received = MessageDigest.getInstance("SHA-256");
    ByteBuffer plainChunk = ByteBuffer.allocate(MAX_CHUNK);
    ByteBuffer cipherChunk = ByteBuffer.allocate(MAX_CHUNK);
    ByteBuffer plainOut = ByteBuffer.allocateDirect(MAX_CHUNK);
    byte[] bytes = new byte[MAX_CHUNK];

    long produced = 0;
    boolean encryptorDone = false;
    while (!encryptorDone) {
      if (encryptor.needsInput()) {
        if (produced < TOTAL) {
          int n = (int) Math.min(TOTAL - produced, 1 + random.nextInt(MAX_CHUNK));
          random.nextBytes(bytes);
          sent.update(bytes, 0, n);
          encryptor.offer(plainChunk.clear().put(bytes, 0, n).flip());
          produced += n;
        } else {
          encryptor.endOfInput();
        }
      }
      // Hand ciphertext over in buffers of random size, each fully consumed by the decryptor.
      int n = encryptor.read(cipherChunk.clear().limit(1 + random.nextInt(MAX_CHUNK)));
      bounds.check();
      if (n < 0) {
        encryptorDone = true;
        decryptor.endOfInput();
      } else if (n > 0) {
        assertThat(decryptor.needsInput()).isTrue();
        decryptor.offer(cipherChunk.flip());
      }
      while (true) {
        int m = decryptor.read(plainOut.clear().limit(1 + random.nextInt(MAX_CHUNK)));
        bounds.check();
        if (m <= 0) {
          assertThat(m == 0 ? decryptor.needsInput() : encryptorDone).isTrue();
          break;
        }
        plainOut.flip();
        received.update(plainOut);
      }
    }

    assertThat(encryptor.bytesIn()).isEqualTo(TOTAL);
    assertThat(decryptor.bytesOut()).isEqualTo(TOTAL);
    assertThat(decryptor.bytesIn()).isEqualTo(encryptor.bytesOut());
    assertThat(received.digest()).isEqualTo(sent.digest());
    assertThat(encryptor.ciphertextBufferCapacity()).isEqualTo(segment);
    assertThat(encryptor.ciphertextBufferHighWater()).isPositive().isLessThanOrEqualTo(segment);
    // The bounds were reached, not just trivially met: data really was in flight.
    assertThat(bounds.maxEncryptorInFlight).isGreaterThan(segment / 2);
    assertThat(bounds.maxDecryptorInFlight).isGreaterThan(segment / 2);
    encryptor.close();
    decryptor.close();
  }

  @Test
  void keyMatchingHoldsOnlyTheFirstSegment() {
    // Until a key matched, Tink's keyset wrapper keeps all ciphertext it pulled (to rewind for the
    // next key); with a large output buffer it would pull many segments in that first read.
    TinkStreamingCrypter crypter =
        TinkStreamingCrypter.fromKeysetJson(
            TinkStreamingCrypter.generateKeysetJson(
                PredefinedStreamingAeadParameters.AES256_GCM_HKDF_4KB),
            null);
    int segment = crypter.ciphertextSegmentSize();
    byte[] plaintext = TinkStreamingCrypterTest.randomBytes(40 * segment, 5);
    byte[] ciphertext =
        new TransformDriver(5)
            .run(
                crypter.newEncryptor("s"),
                plaintext,
                new TransformDriver.Chunking(1 << 20, 1 << 20, false));

    try (ByteTransform decryptor = crypter.newDecryptor("s")) {
      decryptor.offer(ByteBuffer.wrap(ciphertext));
      ByteBuffer dst = ByteBuffer.allocate(plaintext.length);
      assertThat(decryptor.read(dst)).isPositive();
      assertThat(decryptor.bytesIn())
          .as("ciphertext pulled while matching the key")
          .isLessThanOrEqualTo(segment + 1);
      // After the match, reads are as large as the caller's buffer.
      assertThat(decryptor.read(dst)).isGreaterThan(10 * segment);
    }
  }

  /** Bytes taken in minus bytes given out, after every call. */
  private static final class Bounds {
    private final int segment;
    private final ByteTransform encryptor;
    private final ByteTransform decryptor;
    long maxEncryptorInFlight;
    long maxDecryptorInFlight;

    Bounds(int segment, ByteTransform encryptor, ByteTransform decryptor) {
      this.segment = segment;
      this.encryptor = encryptor;
      this.decryptor = decryptor;
    }

    void check() {
      // Ciphertext out is larger than plaintext in (header, tags), so this over-counts nothing:
      // it is at most Tink's plaintext segment plus the transform's one-segment buffer.
      long encryptorInFlight = encryptor.bytesIn() - encryptor.bytesOut();
      assertThat(encryptorInFlight).as("encryptor in flight").isLessThanOrEqualTo(2L * segment);
      // Ciphertext in includes the header and a 16-byte tag per segment, which never come out.
      long overhead = 64 + 16 * (decryptor.bytesIn() / (segment - 16) + 1);
      long decryptorInFlight = decryptor.bytesIn() - decryptor.bytesOut() - overhead;
      assertThat(decryptorInFlight).as("decryptor in flight").isLessThanOrEqualTo(2L * segment);
      maxEncryptorInFlight = Math.max(maxEncryptorInFlight, encryptorInFlight);
      maxDecryptorInFlight = Math.max(maxDecryptorInFlight, decryptorInFlight);
    }
  }
}
