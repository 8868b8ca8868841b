package io.segmenttransfer.pinotfetcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.http.tls.ClientCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.pinot.common.auth.AuthProviderUtils;
import org.apache.pinot.spi.env.PinotConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fetcher's TLS keys ({@code ssl.*}, Pinot's HTTPS fetcher's names where they overlap) and
 * Pinot's {@code auth.*} keys as Pinot's own {@code AuthProviderUtils} turns them into request
 * headers: what can be sent is sent unchanged, the rest fails {@code init} with one line naming the
 * key and never the secret.
 */
class SecuritySettingsTest {

  private static final String SECRET = "s3cr3t-t0ken-value";

  @TempDir Path dir;

  @Test
  void pinotsCaCertAndOurClientCertificateConfigureTls() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "ca");
    Path cert = Files.writeString(dir.resolve("client.pem"), "cert");
    Path key = Files.writeString(dir.resolve("client.key"), "key");

    FetcherSettings settings =
        FetcherSettings.from(
            Map.of(
                "ssl.server.ca-cert", ca.toString(),
                "ssl.client.cert", cert.toString(),
                "ssl.client.key", key.toString()),
            3,
            100,
            5);

    assertThat(settings.http().security().trust()).isEqualTo(ca);
    assertThat(settings.http().security().clientCert()).isEqualTo(cert);
    assertThat(settings.http().security().clientKey()).isEqualTo(key);
    assertThat(settings.unknownKeys()).isEmpty();
  }

  @Test
  void tlsKeysThatCannotBeHonouredFailNamingTheKey() {
    assertThatThrownBy(
            () -> FetcherSettings.from(Map.of("ssl.server.ca-cert", "/no/such/ca.pem"), 3, 100, 5))
        .hasMessage(
            "segment fetcher setting ssl.server.ca-cert: /no/such/ca.pem is not a readable file");
    assertThatThrownBy(
            () ->
                FetcherSettings.from(Map.of("ssl.server.enable-verification", "false"), 3, 100, 5))
        .hasMessageStartingWith("segment fetcher setting ssl.server.enable-verification:")
        .hasMessageContaining("always verifies");
    assertThatThrownBy(
            () -> FetcherSettings.from(Map.of("ssl.client.pkcs12.file", "x.p12"), 3, 100, 5))
        .hasMessageStartingWith("segment fetcher setting ssl.client.pkcs12.file:")
        .hasMessageContaining("ssl.client.cert");
  }

  @Test
  void pinotsBearerAndBasicTokensBecomeTheSameAuthorizationHeader() {
    ClientCredentials bearer =
        PinotCredentials.from(
            AuthProviderUtils.extractAuthProvider(
                auth(Map.of("auth.prefix", "Bearer", "auth.token", SECRET)), "auth"));
    assertThat(bearer.authorization()).isEqualTo("Bearer " + SECRET);

    String basic = java.util.Base64.getEncoder().encodeToString("ops:pa:ss".getBytes());
    ClientCredentials user =
        PinotCredentials.from(
            AuthProviderUtils.extractAuthProvider(auth(Map.of("auth.token", basic)), "auth"));
    assertThat(user.authorization()).isEqualTo("Basic " + basic);
    assertThat(user.toString()).doesNotContain(basic).contains("ops");

    assertThat(PinotCredentials.from(AuthProviderUtils.extractAuthProvider(auth(Map.of()), "auth")))
        .isNull();
  }

  @Test
  void credentialsThatCannotBeSentFailNamingTheKeyButNotTheSecret() {
    // Pinot's default prefix is Basic: a bare bearer token would go out as "Basic <token>".
    assertThatThrownBy(
            () ->
                PinotCredentials.from(
                    AuthProviderUtils.extractAuthProvider(
                        auth(Map.of("auth.token", SECRET)), "auth")))
        .hasMessageStartingWith("segment fetcher setting auth.token:")
        .hasMessageContaining("auth.prefix to Bearer")
        .hasMessageNotContaining(SECRET);
    assertThatThrownBy(
            () ->
                PinotCredentials.from(
                    AuthProviderUtils.extractAuthProvider(
                        auth(Map.of("auth.header", "X-Token", "auth.token", SECRET)), "auth")))
        .hasMessageStartingWith("segment fetcher setting auth.header:")
        .hasMessageContaining("X-Token")
        .hasMessageNotContaining(SECRET);
    assertThatThrownBy(
            () ->
                PinotCredentials.from(
                    AuthProviderUtils.extractAuthProvider(
                        auth(Map.of("auth.prefix", "Digest", "auth.token", SECRET)), "auth")))
        .hasMessageStartingWith("segment fetcher setting auth.prefix:")
        .hasMessageContaining("'Digest'")
        .hasMessageNotContaining(SECRET);
  }

  private static PinotConfiguration auth(Map<String, String> keys) {
    return new PinotConfiguration(new java.util.HashMap<String, Object>(keys));
  }
}
