package io.segmenttransfer.server.daemon;

import io.segmenttransfer.http.tls.ClientSecurity;
import io.segmenttransfer.http.tls.SecuritySettings;
import io.segmenttransfer.http.tls.ServerTlsConfig;
import java.nio.file.Path;
import java.util.Map;

/**
 * The server's TLS and credential settings ({@code tls.*}, {@code auth.token}, {@code auth.user}),
 * as the config file and the flags name them. The listener's: {@code tls.cert}, {@code tls.key},
 * {@code tls.clientCa}; its own calls to the controller and peers: {@code tls.trust}, {@code
 * tls.clientCert}, {@code tls.clientKey}, {@code auth.token} or {@code auth.user}.
 */
final class SecurityKeys {

  static final String CERT = "tls.cert";
  static final String KEY = "tls.key";
  static final String CLIENT_CA = "tls.clientCa";
  static final String TRUST = "tls.trust";
  static final String CLIENT_CERT = "tls.clientCert";
  static final String CLIENT_KEY = "tls.clientKey";
  static final String AUTH_TOKEN = "auth.token";
  static final String AUTH_USER = "auth.user";

  private SecurityKeys() {}

  /** Adds the keys with their defaults as the README documents them. */
  static void describe(Map<String, String> keys) {
    keys.put(CERT, "(none: plain HTTP)");
    keys.put(KEY, "(none)");
    keys.put(CLIENT_CA, "(none: no client certificate required)");
    keys.put(TRUST, "(the JVM's trust store)");
    keys.put(CLIENT_CERT, "(none)");
    keys.put(CLIENT_KEY, "(none)");
    keys.put(AUTH_TOKEN, "(none)");
    keys.put(AUTH_USER, "(none)");
  }

  static SecuritySettings read(Map<String, String> values) {
    return new SecuritySettings(
        ServerTlsConfig.of(path(values, CERT), path(values, KEY), path(values, CLIENT_CA)),
        ClientSecurity.of(
            path(values, TRUST),
            path(values, CLIENT_CERT),
            path(values, CLIENT_KEY),
            values.get(AUTH_TOKEN),
            values.get(AUTH_USER)));
  }

  private static Path path(Map<String, String> values, String key) {
    String value = values.get(key);
    return value == null || value.isBlank() ? null : Path.of(value.trim()).toAbsolutePath();
  }
}
