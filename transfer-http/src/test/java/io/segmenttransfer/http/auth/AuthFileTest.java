package io.segmenttransfer.http.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.error.InvalidRequestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthFileTest {

  static final String PASSWORD = "correct horse battery staple";
  static final String PASSWORD_HASH = PasswordHashes.hash(PASSWORD.toCharArray(), 4);
  static final String TOKEN = "tok-" + TokenHashes.newToken();
  static final String TOKEN_HASH = TokenHashes.sha256Hex(TOKEN);

  @TempDir Path dir;

  @Test
  void readsPrincipalsWithTheirSecretAndPermissions() throws IOException {
    AuthFile file =
        AuthFile.load(
            write(
                """
                principals:
                  - name: ops
                    password-hash: "%s"
                    permissions: [admin, READ]
                  - name: server-1
                    token-sha256: %s
                    permissions:
                      - server
                      - read
                """
                    .formatted(PASSWORD_HASH, TOKEN_HASH)));

    assertThat(file.entries()).hasSize(2);
    AuthFile.Entry ops = file.entries().get(0);
    assertThat(ops.principal().name()).isEqualTo("ops");
    assertThat(ops.principal().permissions())
        .containsExactlyInAnyOrder(Permission.ADMIN, Permission.READ);
    assertThat(ops.passwordHash()).isEqualTo(PASSWORD_HASH);
    assertThat(ops.tokenSha256()).isNull();
    AuthFile.Entry server = file.entries().get(1);
    assertThat(server.tokenSha256()).isEqualTo(TOKEN_HASH);
    assertThat(server.principal().has(Permission.SERVER)).isTrue();
    assertThat(server.principal().has(Permission.ADMIN)).isFalse();
    // An entry printed by accident shows no secret.
    assertThat(file.toString()).doesNotContain(PASSWORD_HASH).doesNotContain(TOKEN_HASH);
  }

  @Test
  void unknownPermissionNamesFileAndPrincipal() throws IOException {
    assertFault(
        principal("ops", "token-sha256: " + TOKEN_HASH, "[admin, write]"),
        "principal 'ops' has an unknown permission 'write' (known: admin, server, read)");
  }

  @Test
  void principalWithNeitherSecret() throws IOException {
    assertFault(
        principal("ops", "", "[read]"),
        "principal 'ops' needs exactly one of 'token-sha256' and 'password-hash', has neither");
  }

  @Test
  void principalWithBothSecrets() throws IOException {
    assertFault(
        principal(
            "ops",
            "token-sha256: " + TOKEN_HASH + "\n    password-hash: \"" + PASSWORD_HASH + "\"",
            "[read]"),
        "principal 'ops' needs exactly one of 'token-sha256' and 'password-hash', has both");
  }

  @Test
  void tokenHashThatIsNot64LowercaseHexDigits() throws IOException {
    for (String bad : new String[] {TOKEN, TOKEN_HASH.substring(1), TOKEN_HASH.toUpperCase()}) {
      Path file = principal("svc", "token-sha256: " + bad, "[read]");
      assertFault(file, "principal 'svc': 'token-sha256' must be 64 lowercase hex digits");
      // The message never quotes the value, which may be the token itself pasted by mistake.
      assertThatThrownBy(() -> AuthFile.load(file)).message().doesNotContain(bad);
    }
  }

  @Test
  void passwordInPlaceOfItsHash() throws IOException {
    Path file = principal("ops", "password-hash: " + PASSWORD, "[admin]");
    assertFault(file, "principal 'ops': 'password-hash' must be a bcrypt hash");
    assertThatThrownBy(() -> AuthFile.load(file)).message().doesNotContain(PASSWORD);
  }

  @Test
  void duplicateNamesAndSharedTokens() throws IOException {
    String two =
        """
        principals:
          - name: ops
            token-sha256: %s
            permissions: [read]
          - name: %s
            token-sha256: %s
            permissions: [admin]
        """;
    assertFault(
        write(two.formatted(TOKEN_HASH, "ops", TokenHashes.sha256Hex("other"))),
        "principal 'ops' is listed twice");
    assertFault(
        write(two.formatted(TOKEN_HASH, "ops2", TOKEN_HASH)),
        "principal 'ops2' has the same token as another principal");
  }

  @Test
  void shapeFaults() throws IOException {
    assertFault(write("principals: []\n"), "no principals");
    assertFault(write("users:\n  - name: x\n"), "unknown key 'users'");
    assertFault(
        write("principals:\n  - token-sha256: " + TOKEN_HASH + "\n    permissions: [read]\n"),
        "principal #1 has no 'name'");
    assertFault(
        principal("ops", "token-sha256: " + TOKEN_HASH + "\n    tokn: x", "[read]"),
        "principal 'ops' has an unknown key 'tokn'");
    assertFault(
        principal("ops", "token-sha256: " + TOKEN_HASH, "[]"),
        "principal 'ops' needs a 'permissions' list");
    assertFault(principal("a:b", "token-sha256: " + TOKEN_HASH, "[read]"), "may not hold ':'");
    Path notYaml = write("principals: [\n  - name: \"" + TOKEN + "\n");
    assertFault(notYaml, "not valid YAML (line");
    assertThatThrownBy(() -> AuthFile.load(notYaml)).message().doesNotContain(TOKEN);
    assertFault(dir.resolve("missing.yml"), "cannot be read: NoSuchFileException");
    Path twice =
        principal("ops", "token-sha256: " + TOKEN_HASH, "[read]\n    permissions: [admin]");
    assertFault(twice, "not valid YAML (line 5): a syntax error, or a key given twice");
    assertThatThrownBy(() -> AuthFile.load(twice)).hasMessageEndingWith("given twice");
  }

  private Path principal(String name, String secretLines, String permissions) throws IOException {
    return write(
        "principals:\n  - name: \""
            + name
            + "\"\n    "
            + secretLines
            + "\n    permissions: "
            + permissions
            + "\n");
  }

  private Path write(String text) throws IOException {
    return Files.writeString(Files.createTempFile(dir, "auth", ".yml"), text);
  }

  private static void assertFault(Path file, String expected) {
    assertThatThrownBy(() -> AuthFile.load(file))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("auth file " + file + ": ")
        .hasMessageContaining(expected)
        .message()
        .doesNotContain("\n");
  }
}
