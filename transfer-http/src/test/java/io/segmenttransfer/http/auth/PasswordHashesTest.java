package io.segmenttransfer.http.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PasswordHashesTest {

  @Test
  void aHashMatchesItsPasswordOnlyAndIsSaltedEachTime() {
    String first = PasswordHashes.hash("s3cret-é".toCharArray(), 4);
    String second = PasswordHashes.hash("s3cret-é".toCharArray(), 4);

    assertThat(first).startsWith("$2a$04$").isNotEqualTo(second);
    assertThat(PasswordHashes.isWellFormed(first)).isTrue();
    assertThat(PasswordHashes.matches("s3cret-é".getBytes(StandardCharsets.UTF_8), first)).isTrue();
    assertThat(PasswordHashes.matches("s3cret-e".getBytes(StandardCharsets.UTF_8), first))
        .isFalse();
    assertThat(PasswordHashes.matches("s3cret-é".getBytes(StandardCharsets.UTF_8), second))
        .isTrue();
  }

  @Test
  void refusesWhatBcryptCannotHashWhole() {
    assertThatThrownBy(() -> PasswordHashes.hash("x".repeat(73).toCharArray(), 4))
        .hasMessageContaining("longer than 72 bytes");
    assertThatThrownBy(() -> PasswordHashes.hash(new char[0], 4))
        .hasMessage("the password is empty");
    assertThatThrownBy(() -> PasswordHashes.hash("x".toCharArray(), 3))
        .hasMessage("bcrypt cost must be 4-31, was 3");
    // 73 bytes whose first 72 are a real password's still do not match it.
    String hash = PasswordHashes.hash("y".repeat(72).toCharArray(), 4);
    assertThat(PasswordHashes.matches("y".repeat(73).getBytes(StandardCharsets.UTF_8), hash))
        .isFalse();
  }

  @Test
  void malformedHashesNeverMatch() {
    assertThat(PasswordHashes.isWellFormed("$2a$10$short")).isFalse();
    assertThat(PasswordHashes.isWellFormed("plain-password")).isFalse();
    assertThat(PasswordHashes.matches("x".getBytes(StandardCharsets.UTF_8), "$2a$10$bad"))
        .isFalse();
  }

  @Test
  void tokenHashesAreLowercaseHexSha256() {
    // SHA-256 of "test", a published test vector.
    assertThat(TokenHashes.sha256Hex("test"))
        .isEqualTo("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    String token = TokenHashes.newToken();
    assertThat(token).hasSize(43).matches("[A-Za-z0-9_-]+").isNotEqualTo(TokenHashes.newToken());
    assertThat(TokenHashes.isHexSha256(TokenHashes.sha256Hex(token))).isTrue();
  }
}
