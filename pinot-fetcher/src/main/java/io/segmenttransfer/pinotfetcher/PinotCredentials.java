package io.segmenttransfer.pinotfetcher;

import io.segmenttransfer.http.tls.ClientCredentials;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import org.apache.pinot.spi.auth.AuthProvider;
import org.jspecify.annotations.Nullable;

/**
 * Pinot's fetcher credentials as this project's HTTP clients send them. Pinot's {@code
 * BaseSegmentFetcher.init} builds an {@link AuthProvider} from the protocol's {@code auth.*} keys
 * ({@code SegmentFetcherFactory} copies the fetcher-wide {@code auth.*} in when a protocol has
 * none): {@code auth.token} becomes a static {@code Authorization} header, {@code auth.prefix}
 * (default {@code Basic}) put before the token unless it already starts with it; {@code
 * auth.provider.class} names any other provider. Pinot's own HTTP fetchers send that provider's
 * request headers with every download; this fetcher sends the same {@code Authorization} value
 * through {@link ClientCredentials}, which never shows it. The headers are read once, when the
 * fetcher is initialised (Pinot's {@code UrlAuthProvider} would give a fresh token per request; a
 * rotated token needs the fetcher initialised again).
 *
 * <p>Only what {@link ClientCredentials} can carry is accepted: an {@code Authorization} header
 * with a {@code Bearer} token, or {@code Basic} with base64 {@code USER:PASSWORD}. Anything else
 * fails {@code init} with one line naming the key and the reason, never the secret.
 */
final class PinotCredentials {

  private static final String AUTHORIZATION = "authorization";
  private static final String BEARER = "bearer ";
  private static final String BASIC = "basic ";

  private PinotCredentials() {}

  /**
   * The credentials {@code provider} gives now, or null when it gives none (no {@code auth.*} key:
   * Pinot's {@code NullAuthProvider}).
   *
   * @throws IllegalArgumentException naming the {@code auth.*} key when the headers cannot be sent
   */
  static @Nullable ClientCredentials from(@Nullable AuthProvider provider) {
    if (provider == null) {
      return null;
    }
    Map<String, Object> headers = provider.getRequestHeaders();
    if (headers == null || headers.isEmpty()) {
      return null;
    }
    if (headers.size() > 1) {
      throw invalid(
          "auth.provider.class",
          "the auth provider gives "
              + headers.size()
              + " headers "
              + headers.keySet()
              + "; this fetcher sends one, Authorization");
    }
    Map.Entry<String, Object> header = headers.entrySet().iterator().next();
    if (!AUTHORIZATION.equalsIgnoreCase(header.getKey())) {
      throw invalid(
          "auth.header",
          "this fetcher sends credentials as the Authorization header only, not '"
              + header.getKey()
              + "'");
    }
    String value = header.getValue() == null ? "" : header.getValue().toString().trim();
    String lower = value.toLowerCase(Locale.ROOT);
    if (lower.startsWith(BEARER)) {
      return ClientCredentials.bearer(value.substring(BEARER.length()).trim());
    }
    if (lower.startsWith(BASIC)) {
      return basic(value.substring(BASIC.length()).trim());
    }
    int space = value.indexOf(' ');
    throw invalid(
        "auth.prefix",
        space > 0
            ? "the Authorization scheme '"
                + value.substring(0, space)
                + "' is not supported; use Bearer or Basic"
            : "the Authorization value has no scheme; give auth.prefix Bearer or Basic");
  }

  /**
   * {@code Basic base64(USER:PASSWORD)}, decoded so that {@link ClientCredentials} re-encodes it.
   */
  private static ClientCredentials basic(String encoded) {
    String userColonPassword;
    try {
      userColonPassword = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      userColonPassword = "";
    }
    if (userColonPassword.indexOf(':') <= 0) {
      // Pinot's default prefix is Basic: a bearer token in auth.token lands here, and Pinot's own
      // fetchers would send it as "Basic <token>" (or "Basic Bearer <token>").
      throw invalid(
          "auth.token",
          "Pinot sends it as 'Basic <token>' (its default auth.prefix), but the token is not base64"
              + " of USER:PASSWORD; for a bearer token set auth.prefix to Bearer and auth.token to"
              + " the token alone");
    }
    return ClientCredentials.basic(userColonPassword);
  }

  private static IllegalArgumentException invalid(String key, String why) {
    return new IllegalArgumentException("segment fetcher setting " + key + ": " + why);
  }
}
