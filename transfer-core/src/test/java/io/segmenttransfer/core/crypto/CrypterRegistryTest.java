package io.segmenttransfer.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.crypto.TransformDriver.Chunking;
import io.segmenttransfer.core.error.CrypterException;
import io.segmenttransfer.core.stream.ByteTransform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class CrypterRegistryTest {

  @TempDir Path dir;

  @ParameterizedTest
  @NullSource
  @ValueSource(
      strings = {
        "",
        "  ",
        "NoOpPinotCrypter",
        "noopPinotCrypter",
        "NOOPPINOTCRYPTER",
        " NoOpPinotCrypter ",
        "noop",
        "NOOP",
        "none",
        "None"
      })
  void noOpNamesAndAliasesResolveCaseInsensitively(String name) {
    CrypterRegistry registry = CrypterRegistry.fromConfig(CrypterConfig.defaults());
    assertThat(registry.resolve(name)).isSameAs(NoOpCrypter.INSTANCE);
  }

  @Test
  void theNoOpCrypterPassesBytesThroughBothWays() {
    SegmentCrypter noOp =
        CrypterRegistry.fromConfig(CrypterConfig.defaults()).resolve("NoOpPinotCrypter");
    byte[] bytes = TinkStreamingCrypterTest.randomBytes(10_000, 3);
    TransformDriver driver = new TransformDriver(3);
    assertThat(driver.run(noOp.newDecryptor("s"), bytes, new Chunking(100, 77, true)))
        .isEqualTo(bytes);
    assertThat(driver.run(noOp.newEncryptor("s"), bytes, new Chunking(1, 1, false)))
        .isEqualTo(bytes);
    assertThat(noOp.name()).isEqualTo("NoOpPinotCrypter");
  }

  @Test
  void anUnknownNameListsTheKnownOnes() {
    CrypterRegistry registry = CrypterRegistry.fromConfig(CrypterConfig.defaults());
    assertThatThrownBy(() -> registry.resolve("AesPinotCrypter", "t_OFFLINE/seg_1"))
        .isExactlyInstanceOf(CrypterException.class)
        .hasMessageContaining("seg_1")
        .hasMessageContaining("unknown crypter 'AesPinotCrypter'")
        .hasMessageEndingWith(
            "known crypters are NoOpPinotCrypter (also noop, none), TinkStreamingAeadCrypter (with"
                + " --keyset)");
    assertThat(registry.names()).containsExactly("NoOpPinotCrypter");
  }

  @Test
  void tinkWithoutAKeysetSaysWhatToSet() {
    CrypterRegistry registry = CrypterRegistry.fromConfig(CrypterConfig.defaults());
    assertThatThrownBy(() -> registry.resolve("tinkstreamingaeadcrypter", "seg_2"))
        .isExactlyInstanceOf(CrypterException.class)
        .hasMessageContaining("seg_2")
        .hasMessageContaining("crypter TinkStreamingAeadCrypter needs a keyset: give --keyset FILE")
        .hasMessageNotContaining("CrypterConfig");
  }

  @Test
  void aConfiguredKeysetRegistersTinkUnderAnyCase() throws Exception {
    Path keyset =
        Files.writeString(dir.resolve("keyset.json"), TinkStreamingCrypter.generateKeysetJson());
    byte[] ad = "cluster-1".getBytes(StandardCharsets.UTF_8);
    CrypterRegistry registry = CrypterRegistry.fromConfig(new CrypterConfig(keyset, ad));

    assertThat(registry.names()).containsExactly("NoOpPinotCrypter", "TinkStreamingAeadCrypter");
    SegmentCrypter tink = registry.resolve("TinkStreamingAeadCrypter");
    assertThat(registry.resolve("TINKSTREAMINGAEADCRYPTER")).isSameAs(tink);
    assertThat(tink).isInstanceOf(TinkStreamingCrypter.class);

    // The configured associated data is in use: a crypter with the same key but none cannot
    // decrypt.
    byte[] plaintext = TinkStreamingCrypterTest.randomBytes(3000, 4);
    TransformDriver driver = new TransformDriver(4);
    Chunking chunking = new Chunking(500, 500, false);
    byte[] ciphertext = driver.run(tink.newEncryptor("s"), plaintext, chunking);
    assertThat(driver.run(tink.newDecryptor("s"), ciphertext, chunking)).isEqualTo(plaintext);
    SegmentCrypter noAd =
        CrypterRegistry.fromConfig(CrypterConfig.tink(keyset)).resolve("TinkStreamingAeadCrypter");
    ByteTransform decryptor = noAd.newDecryptor("s");
    assertThatThrownBy(() -> driver.run(decryptor, ciphertext, chunking))
        .isExactlyInstanceOf(CrypterException.class);
  }

  @Test
  void aMissingKeysetFileIsNamed() {
    Path missing = dir.resolve("no-such-keyset.json");
    assertThatThrownBy(() -> CrypterRegistry.fromConfig(CrypterConfig.tink(missing)))
        .isExactlyInstanceOf(CrypterException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "not json",
        "{\"primaryKeyId\": 1, \"key\": []}",
        "{\"key\": [{}]}",
        "{\"primaryKeyId\": 1, \"key\": [{\"keyData\": {\"typeUrl\": \"x\", \"value\": \"!!\","
            + " \"keyMaterialType\": \"SYMMETRIC\"}, \"status\": \"ENABLED\", \"keyId\": 1,"
            + " \"outputPrefixType\": \"RAW\"}]}"
      })
  void aGarbledKeysetFileIsNamed(String content) throws Exception {
    Path garbled = Files.writeString(dir.resolve("garbled.json"), content);
    assertThatThrownBy(() -> CrypterRegistry.fromConfig(CrypterConfig.tink(garbled)))
        .isExactlyInstanceOf(CrypterException.class)
        .hasMessageContaining(garbled.toString());
  }

  @Test
  void aKeysetOfAnotherPrimitiveIsRefused() throws Exception {
    com.google.crypto.tink.aead.AeadConfig.register();
    String aeadKeyset =
        com.google.crypto.tink.TinkJsonProtoKeysetFormat.serializeKeyset(
            com.google.crypto.tink.KeysetHandle.generateNew(
                com.google.crypto.tink.aead.PredefinedAeadParameters.AES256_GCM),
            com.google.crypto.tink.InsecureSecretKeyAccess.get());
    Path file = Files.writeString(dir.resolve("aead.json"), aeadKeyset);
    assertThatThrownBy(() -> CrypterRegistry.fromConfig(CrypterConfig.tink(file)))
        .isExactlyInstanceOf(CrypterException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("no streaming AEAD keys");
  }

  @Test
  void extensionsRegisterOnceAndResolveCaseInsensitively() {
    SegmentCrypter custom =
        new SegmentCrypter() {
          @Override
          public String name() {
            return "MyCrypter";
          }

          @Override
          public ByteTransform newDecryptor(String subject) {
            return NoOpCrypter.INSTANCE.newDecryptor(subject);
          }

          @Override
          public ByteTransform newEncryptor(String subject) {
            return NoOpCrypter.INSTANCE.newEncryptor(subject);
          }
        };
    CrypterRegistry registry =
        CrypterRegistry.fromConfig(CrypterConfig.defaults()).register(custom);
    assertThat(registry.resolve("mycrypter")).isSameAs(custom);
    assertThat(registry.names()).containsExactly("MyCrypter", "NoOpPinotCrypter");
    assertThatThrownBy(() -> registry.register(custom))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> registry.register(NoOpCrypter.INSTANCE))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void configCopiesAssociatedDataAndRejectsAnEmptyPath() {
    byte[] ad = {1, 2, 3};
    CrypterConfig config = new CrypterConfig(null, ad);
    ad[0] = 9;
    assertThat(config.associatedData()).containsExactly(1, 2, 3);
    config.associatedData()[1] = 9;
    assertThat(config.associatedData()).containsExactly(1, 2, 3);
    assertThat(config).isEqualTo(new CrypterConfig(null, new byte[] {1, 2, 3}));
    assertThat(CrypterConfig.defaults().associatedData()).isEmpty();
    assertThat(CrypterConfig.defaults().tinkKeysetFile()).isNull();
    assertThatThrownBy(() -> new CrypterConfig(Path.of(""), null))
        .isExactlyInstanceOf(CrypterException.class)
        .hasMessageContaining("tinkKeysetFile");
  }
}
