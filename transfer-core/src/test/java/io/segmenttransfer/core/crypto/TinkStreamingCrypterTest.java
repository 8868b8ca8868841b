package io.segmenttransfer.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import io.segmenttransfer.core.crypto.TransformDriver.Chunking;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TinkStreamingCrypterTest {

  private static final byte[] AD = "table_OFFLINE/segment_0".getBytes(StandardCharsets.UTF_8);
  private static final int MIB = 1 << 20;

  private static String keyset1m;
  private static String keyset4k;
  private static TinkStreamingCrypter crypter1m;
  private static TinkStreamingCrypter crypter4k;

  @BeforeAll
  static void keys() {
    keyset1m = TinkStreamingCrypter.generateKeysetJson();
    keyset4k =
        TinkStreamingCrypter.generateKeysetJson(
            PredefinedStreamingAeadParameters.AES256_GCM_HKDF_4KB);
    crypter1m = TinkStreamingCrypter.fromKeysetJson(keyset1m, AD);
    crypter4k = TinkStreamingCrypter.fromKeysetJson(keyset4k, AD);
  }

  @Test
  void segmentSizesComeFromTheKeys() {
    assertThat(crypter1m.ciphertextSegmentSize()).isEqualTo(MIB);
    assertThat(crypter4k.ciphertextSegmentSize()).isEqualTo(4096);
    assertThat(crypter1m.name()).isEqualTo("TinkStreamingAeadCrypter");
  }

  static Stream<Arguments> roundTrips() {
    List<Arguments> cases = new ArrayList<>();
    Chunking bytewise = new Chunking(1, 1, false);
    Chunking bytewiseDirect = new Chunking(1, 1, true);
    Chunking small = new Chunking(7, 13, false);
    Chunking mixed = new Chunking(70_000, 50_000, false);
    Chunking mixedDirect = new Chunking(70_000, 50_000, true);
    Chunking bigInSmallOut = new Chunking(3 * MIB, 1, false);
    for (String key : List.of("4k", "1m")) {
      int seg = key.equals("4k") ? 4096 : MIB;
      // 2 * seg - 72: a 40-byte header and two 16-byte tags, so the final segment is completely
      // full.
      for (int size : new int[] {0, 1, seg - 1, seg, seg + 1, 2 * seg - 72, 2 * seg + 17}) {
        boolean large = size > 64 * 1024;
        for (Chunking c : List.of(bytewise, small, mixed, mixedDirect)) {
          cases.add(Arguments.of(key, size, c));
        }
        if (!large) {
          cases.add(Arguments.of(key, size, bytewiseDirect));
          cases.add(Arguments.of(key, size, bigInSmallOut));
        }
      }
    }
    // Several MiB: byte by byte once, then coarser cuts with heap and direct buffers.
    int several = 5 * MIB + 3;
    cases.add(Arguments.of("1m", several, bytewise));
    cases.add(Arguments.of("1m", several, mixed));
    cases.add(Arguments.of("1m", several, mixedDirect));
    cases.add(Arguments.of("4k", several, mixed));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} key, {1} bytes, {2}")
  @MethodSource("roundTrips")
  void roundTripThroughTheTransformContract(String key, int size, Chunking chunking)
      throws Exception {
    TinkStreamingCrypter crypter = key.equals("4k") ? crypter4k : crypter1m;
    byte[] plaintext = randomBytes(size, size);
    TransformDriver driver = new TransformDriver(31L * size + chunking.hashCode());

    byte[] ciphertext = driver.run(crypter.newEncryptor("seg"), plaintext, chunking);
    // Authenticated encryption: a header and a tag per segment, never the plaintext itself.
    assertThat(ciphertext.length).isGreaterThan(plaintext.length + 16);
    if (size == 2 * crypter.ciphertextSegmentSize() - 72) {
      assertThat(ciphertext).hasSize(2 * crypter.ciphertextSegmentSize());
    }
    if (size >= 64) {
      assertThat(indexOf(ciphertext, java.util.Arrays.copyOf(plaintext, 64))).isNegative();
    }
    // Tink's own stream API must agree with what the transform wrote.
    assertThat(tinkDecrypt(key, ciphertext, AD)).isEqualTo(plaintext);

    byte[] decrypted = driver.run(crypter.newDecryptor("seg"), ciphertext, chunking);
    assertThat(decrypted).isEqualTo(plaintext);
  }

  @ParameterizedTest(name = "{0} key, {1} bytes")
  @MethodSource("independentSizes")
  void decryptsWhatTinkEncryptsAndTinkDecryptsWhatWeEncrypt(String key, int size) throws Exception {
    TinkStreamingCrypter crypter = key.equals("4k") ? crypter4k : crypter1m;
    byte[] plaintext = randomBytes(size, size + 1);
    TransformDriver driver = new TransformDriver(size);
    Chunking chunking = new Chunking(9_000, 5_000, false);

    byte[] byTink = tinkEncrypt(key, plaintext, AD);
    assertThat(driver.run(crypter.newDecryptor("seg"), byTink, chunking)).isEqualTo(plaintext);

    byte[] byUs = driver.run(crypter.newEncryptor("seg"), plaintext, chunking);
    assertThat(tinkDecrypt(key, byUs, AD)).isEqualTo(plaintext);
    // Same key and plaintext, fresh random salt and nonce prefix per stream: same length, other
    // bytes.
    assertThat(byUs).hasSameSizeAs(byTink);
    if (size > 0) {
      assertThat(byUs).isNotEqualTo(byTink);
    }
  }

  static Stream<Arguments> independentSizes() {
    return Stream.of(
        Arguments.of("4k", 0),
        Arguments.of("4k", 4095),
        Arguments.of("4k", 4096 * 5 + 1),
        Arguments.of("1m", 1),
        Arguments.of("1m", MIB - 1),
        Arguments.of("1m", 3 * MIB + 5));
  }

  @Test
  void emptyAssociatedDataIsTheDefault() throws Exception {
    TinkStreamingCrypter noAd = TinkStreamingCrypter.fromKeysetJson(keyset4k, null);
    byte[] plaintext = randomBytes(10_000, 7);
    byte[] ct =
        new TransformDriver(1)
            .run(noAd.newEncryptor("s"), plaintext, new Chunking(999, 999, false));
    assertThat(tinkDecrypt("4k", ct, new byte[0])).isEqualTo(plaintext);
  }

  @Test
  void theCallersAssociatedDataArrayIsCopied() throws Exception {
    byte[] ad = "first".getBytes(StandardCharsets.UTF_8);
    TinkStreamingCrypter crypter = TinkStreamingCrypter.fromKeysetJson(keyset4k, ad);
    ad[0] = 'X';
    byte[] plaintext = randomBytes(5000, 8);
    byte[] ct =
        new TransformDriver(2)
            .run(crypter.newEncryptor("s"), plaintext, new Chunking(999, 999, false));
    assertThat(tinkDecrypt("4k", ct, "first".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(plaintext);
  }

  static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static StreamingAead tink(String key) throws Exception {
    return TinkJsonProtoKeysetFormat.parseKeyset(
            key.equals("4k") ? keyset4k : keyset1m, InsecureSecretKeyAccess.get())
        .getPrimitive(RegistryConfiguration.get(), StreamingAead.class);
  }

  private static byte[] tinkEncrypt(String key, byte[] plaintext, byte[] ad) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream enc = tink(key).newEncryptingStream(out, ad)) {
      enc.write(plaintext);
    }
    return out.toByteArray();
  }

  private static byte[] tinkDecrypt(String key, byte[] ciphertext, byte[] ad) throws Exception {
    try (InputStream dec =
        tink(key).newDecryptingStream(new ByteArrayInputStream(ciphertext), ad)) {
      return dec.readAllBytes();
    }
  }
}
