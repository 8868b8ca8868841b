package io.segmenttransfer.http.tls;

import java.util.Optional;

/**
 * A process's TLS and credentials in both directions: how its listener serves HTTPS (absent: plain
 * HTTP) and how its own clients reach others (the controller calling servers, a server calling the
 * controller and its peers).
 *
 * @param listener HTTPS for the listener; empty for plain HTTP
 * @param client trust, client certificate and credentials for outgoing calls
 */
public record SecuritySettings(Optional<ServerTlsConfig> listener, ClientSecurity client) {

  private static final SecuritySettings NONE =
      new SecuritySettings(Optional.empty(), ClientSecurity.none());

  public SecuritySettings {
    listener = listener == null ? Optional.empty() : listener;
    client = client == null ? ClientSecurity.none() : client;
  }

  /** Plain HTTP, no credentials: today's behaviour. */
  public static SecuritySettings none() {
    return NONE;
  }

  /** {@code https} when the listener serves TLS, else {@code http}. */
  public String scheme() {
    return listener.isPresent() ? "https" : "http";
  }
}
