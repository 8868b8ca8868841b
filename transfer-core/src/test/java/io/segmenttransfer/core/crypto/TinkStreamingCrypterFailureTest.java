package io.segmenttransfer.core.crypto;

import static io.segmenttransfer.core.crypto.TinkStreamingCrypterTest.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import io.segmenttransfer.core.crypto.TransformDriver.Chunking;
import io.segmenttransfer.core.error.CrypterException;
import io.segmenttransfer.core.stream.ByteTransform;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way a ciphertext can be wrong ends in a {@link CrypterException} naming the segment, and no
 * plaintext of a segment that failed its check is released.
 */
class TinkStreamingCrypterFailureTest {

  private static final String SUBJECT = "events_OFFLINE/events_0_2024";
  private static final byte[] AD = "ad".getBytes(StandardCharsets.UTF_8);
  private static final int SEGMENT = 4096;
  private static final int TAG = 16;

  /** Plaintext of 5 full segments and a partial sixth. */
  private static final byte[] PLAINTEXT = randomBytes(5 * (SEGMENT - TAG) + 1000, 42);

  private static String keyset;
  private static TinkStreamingCrypter crypter;
  private static byte[] ciphertext;
  private static int headerLength;

  @BeforeAll
  static void encrypt() {
    keyset =
        TinkStreamingCrypter.generateKeysetJson(
            PredefinedStreamingAeadParameters.AES256_GCM_HKDF_4KB);
    crypter = TinkStreamingCrypter.fromKeysetJson(keyset, AD);
    ciphertext =
        new TransformDriver(1)
            .run(crypter.newEncryptor(SUBJECT), PLAINTEXT, new Chunking(5000, 5000, false));
    byte[] empty =
        new TransformDriver(1)
            .run(crypter.newEncryptor(SUBJECT), new byte[0], new Chunking(1, 1, false));
    headerLength = empty.length - TAG;
    // Header and first segment fill exactly one ciphertext segment; the layout below relies on it.
    assertThat(ciphertext.length).isEqualTo(headerLength + PLAINTEXT.length + 6 * TAG);
  }

  /** Where the plaintext of ciphertext segment {@code k} starts. */
  private static long plaintextStartOfSegment(int k) {
    return k == 0 ? 0 : (long) k * (SEGMENT - TAG) - headerLength;
  }

  static IntStream tamperPositions() {
    int last = ciphertext.length - 1;
    return IntStream.of(
        0, // header: version byte
        headerLength / 2, // header: salt
        headerLength + 10, // first segment
        2 * SEGMENT + SEGMENT / 2, // a middle segment
        3 * SEGMENT - 1, // last byte (tag) of a middle segment
        5 * SEGMENT + 3, // the last segment
        last); // the last tag byte
  }

  @ParameterizedTest(name = "flip byte {0}")
  @MethodSource("tamperPositions")
  void aFlippedByteFailsAndItsSegmentIsNeverReleased(int position) {
    byte[] tampered = ciphertext.clone();
    tampered[position] ^= 0x01;
    ByteTransform decryptor = crypter.newDecryptor(SUBJECT);
    Throwable thrown = catchThrowable(() -> drain(decryptor, tampered, 1000));

    assertCrypterFailure(thrown);
    int segment = position / SEGMENT;
    assertThat(decryptor.bytesOut())
        .as("plaintext released before the failure")
        .isLessThanOrEqualTo(plaintextStartOfSegment(segment));
    // The segments before the tampered one were authentic and came out in order.
    byte[] released = Arrays.copyOf(PLAINTEXT, (int) decryptor.bytesOut());
    assertThat(released).isEqualTo(Arrays.copyOf(PLAINTEXT, released.length));
  }

  static Stream<Integer> truncationPoints() {
    return Stream.of(
        0,
        1,
        headerLength - 1,
        headerLength,
        headerLength + 1,
        SEGMENT - 1,
        SEGMENT,
        SEGMENT + 1, // around the end of the first segment
        2 * SEGMENT,
        5 * SEGMENT, // exactly at later segment boundaries
        ciphertext.length - TAG,
        ciphertext.length - 1);
  }

  @ParameterizedTest(name = "cut at {0}")
  @MethodSource("truncationPoints")
  void truncatedCiphertextFails(int length) {
    byte[] truncated = Arrays.copyOf(ciphertext, length);
    ByteTransform decryptor = crypter.newDecryptor(SUBJECT);
    Throwable thrown = catchThrowable(() -> drain(decryptor, truncated, 777));

    assertCrypterFailure(thrown);
    // Only whole segments that lie before the cut can have been released.
    assertThat(decryptor.bytesOut()).isLessThanOrEqualTo(plaintextStartOfSegment(length / SEGMENT));
  }

  @Test
  void trailingBytesFail() {
    byte[] extended = Arrays.copyOf(ciphertext, ciphertext.length + 1);
    assertCrypterFailure(
        catchThrowable(() -> drain(crypter.newDecryptor(SUBJECT), extended, 4096)));
  }

  @Test
  void aWrongKeyFails() {
    TinkStreamingCrypter other =
        TinkStreamingCrypter.fromKeysetJson(
            TinkStreamingCrypter.generateKeysetJson(
                PredefinedStreamingAeadParameters.AES256_GCM_HKDF_4KB),
            AD);
    ByteTransform decryptor = other.newDecryptor(SUBJECT);
    assertCrypterFailure(catchThrowable(() -> drain(decryptor, ciphertext, 3000)));
    assertThat(decryptor.bytesOut()).isZero();
  }

  @Test
  void wrongAssociatedDataFails() {
    TinkStreamingCrypter otherAd =
        TinkStreamingCrypter.fromKeysetJson(keyset, "other".getBytes(StandardCharsets.UTF_8));
    ByteTransform decryptor = otherAd.newDecryptor(SUBJECT);
    assertCrypterFailure(catchThrowable(() -> drain(decryptor, ciphertext, 3000)));
    assertThat(decryptor.bytesOut()).isZero();

    TinkStreamingCrypter noAd = TinkStreamingCrypter.fromKeysetJson(keyset, null);
    assertCrypterFailure(catchThrowable(() -> drain(noAd.newDecryptor(SUBJECT), ciphertext, 3000)));
  }

  @Test
  void plaintextIsNotCiphertext() {
    assertCrypterFailure(
        catchThrowable(() -> drain(crypter.newDecryptor(SUBJECT), PLAINTEXT, 100)));
  }

  @Test
  void aFailedDecryptorKeepsFailingAndClosesQuietly() {
    byte[] tampered = ciphertext.clone();
    tampered[SEGMENT + 5] ^= (byte) 0x80;
    ByteTransform decryptor = crypter.newDecryptor(SUBJECT);
    Throwable first = catchThrowable(() -> drain(decryptor, tampered, SEGMENT * 2));
    assertCrypterFailure(first);
    assertThatThrownBy(() -> decryptor.read(ByteBuffer.allocate(10))).isSameAs(first);
    assertThat(decryptor.needsInput()).isFalse();
    decryptor.close();
    decryptor.close();
  }

  @Test
  void closingMidStreamIsSafeForBothDirections() {
    ByteTransform decryptor = crypter.newDecryptor(SUBJECT);
    decryptor.offer(ByteBuffer.wrap(ciphertext, 0, SEGMENT + 10));
    decryptor.read(ByteBuffer.allocate(100));
    decryptor.close();
    decryptor.close();
    ByteTransform encryptor = crypter.newEncryptor(SUBJECT);
    encryptor.offer(ByteBuffer.wrap(PLAINTEXT));
    encryptor.read(ByteBuffer.allocate(100));
    encryptor.close();
    encryptor.close();
    assertThatThrownBy(() -> encryptor.read(ByteBuffer.allocate(1)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void offeringBeforeTheInputIsConsumedIsAProgrammingError() {
    ByteTransform decryptor = crypter.newDecryptor(SUBJECT);
    decryptor.offer(ByteBuffer.wrap(ciphertext, 0, 10));
    assertThat(decryptor.needsInput()).isFalse();
    assertThatThrownBy(() -> decryptor.offer(ByteBuffer.wrap(ciphertext)))
        .isInstanceOf(IllegalStateException.class);
    decryptor.endOfInput();
    assertThatThrownBy(() -> decryptor.offer(ByteBuffer.allocate(0)))
        .isInstanceOf(IllegalStateException.class);
  }

  private static void assertCrypterFailure(Throwable thrown) {
    assertThat(thrown)
        .as("only CrypterException may leave a decryptor")
        .isExactlyInstanceOf(CrypterException.class)
        .hasMessageContaining(SUBJECT)
        .hasMessageContaining("not authentic");
    assertThat(((CrypterException) thrown).subject()).isEqualTo(SUBJECT);
    assertThat(((CrypterException) thrown).isRetryable()).isFalse();
  }

  /** Drives the decryptor over the whole input, chunks of {@code chunk} bytes, to the end. */
  private static void drain(ByteTransform t, byte[] input, int chunk) {
    ByteBuffer dst = ByteBuffer.allocate(1500);
    for (int offset = 0; offset < input.length; offset += chunk) {
      t.offer(ByteBuffer.wrap(input, offset, Math.min(chunk, input.length - offset)));
      int n;
      while ((n = t.read(dst.clear())) != 0) {
        assertThat(n).isPositive();
      }
    }
    t.endOfInput();
    while (t.read(dst.clear()) >= 0) {
      // drain to the end, where the final segment is checked
    }
  }
}
