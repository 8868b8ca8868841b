package io.segmenttransfer.http.tls;

import io.segmenttransfer.core.error.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * What a client sends in the {@code Authorization} header: a bearer token ({@code --auth-token},
 * Pinot's {@code auth.token}) or HTTP Basic credentials ({@code --auth-user USER:PASSWORD}). The
 * secret is never shown: {@link #toString()} names the kind (and the user), and error messages
 * about a malformed value do not repeat it.
 */
public final class ClientCredentials {

  private final String kind;
  private final String authorization;

  private ClientCredentials(String kind, String authorization) {
    this.kind = kind;
    this.authorization = authorization;
  }

  /** {@code Authorization: Bearer <token>}. */
  public static ClientCredentials bearer(String token) {
    if (token == null || token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new InvalidRequestException(
          null, "the auth token must be non-empty printable ASCII without spaces");
    }
    return new ClientCredentials("bearer token", "Bearer " + token);
  }

  /** HTTP Basic from {@code USER:PASSWORD} (the password may contain further colons). */
  public static ClientCredentials basic(String userColonPassword) {
    int colon = userColonPassword == null ? -1 : userColonPassword.indexOf(':');
    if (colon <= 0) {
      throw new InvalidRequestException(
          null, "the auth user must be given as USER:PASSWORD (a colon after a non-empty user)");
    }
    String user = userColonPassword.substring(0, colon);
    String encoded =
        Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    return new ClientCredentials("basic, user " + user, "Basic " + encoded);
  }

  /** The header's value; only the HTTP layer reads it. */
  public String authorization() {
    return authorization;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ClientCredentials that && authorization.equals(that.authorization);
  }

  @Override
  public int hashCode() {
    return authorization.hashCode();
  }

  @Override
  public String toString() {
    return "ClientCredentials[" + kind + "]";
  }
}
