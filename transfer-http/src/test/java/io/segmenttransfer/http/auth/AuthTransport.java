package io.segmenttransfer.http.auth;

import io.segmenttransfer.http.tls.ClientSecurity;
import io.segmenttransfer.http.tls.ServerTlsConfig;
import io.segmenttransfer.http.tls.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A way the {@link AuthMatrix} reaches a surface: plain HTTP, TLS, or mutual TLS, with the
 * listener's settings to start the surface with and the client's to call it with (certificates made
 * for the test, for {@code 127.0.0.1}). Credentials are the matrix's own, on top of the transport:
 * with mutual TLS every caller, the anonymous one too, presents a valid client certificate, so the
 * answers are HTTP authentication's, not the handshake's.
 *
 * @param name {@code plain}, {@code tls} or {@code mtls}
 * @param listener HTTPS for the surface; empty for plain HTTP
 * @param client how the matrix connects (trust, client certificate; no credentials)
 */
public record AuthTransport(
    String name, Optional<ServerTlsConfig> listener, ClientSecurity client) {

  /** The names {@link #named} takes, for a parameterised test. */
  public static final List<String> NAMES = List.of("plain", "tls", "mtls");

  /** The transport {@code name}, its certificates (if any) written under {@code dir}. */
  public static AuthTransport named(String name, Path dir) {
    if (name.equals("plain")) {
      return new AuthTransport(name, Optional.empty(), ClientSecurity.none());
    }
    Path certs;
    try {
      certs = Files.createDirectories(dir.resolve("certs-" + name));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    TestCertificates.Authority ca = TestCertificates.authority(certs, "matrix-ca");
    TestCertificates.Pem listener = ca.issue(certs, "listener", "listener", "127.0.0.1");
    ServerTlsConfig tls = ServerTlsConfig.pem(listener.certificate(), listener.key());
    ClientSecurity client = ClientSecurity.none().withTrust(ca.certificate());
    return switch (name) {
      case "tls" -> new AuthTransport(name, Optional.of(tls), client);
      case "mtls" -> {
        TestCertificates.Pem caller = ca.issue(certs, "caller", "matrix-caller");
        yield new AuthTransport(
            name,
            Optional.of(tls.withClientCa(ca.certificate())),
            client.withClientCertificate(caller.certificate(), caller.key()));
      }
      default -> throw new IllegalArgumentException("no transport " + name + "; known " + NAMES);
    };
  }
}
