package io.segmenttransfer.server.cli;

import io.segmenttransfer.http.tls.ClientSecurity;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How a command reaches HTTPS controllers, servers and peers, and who it says it is: {@code
 * --tls-trust} (else the JVM's trust store), {@code --tls-client-cert}/{@code --tls-client-key}
 * (mutual TLS), {@code --auth-token} (Pinot's {@code -authToken}) or {@code --auth-user}. Every
 * client command mixes it in; {@code server} passes the same values to its config.
 */
final class ClientSecurityOptions {

  @Option(
      names = "--tls-trust",
      paramLabel = "PEM",
      description = "CA certificates to trust for https:// URLs. Default: the JVM's trust store.")
  Path trust;

  @Option(
      names = "--tls-client-cert",
      paramLabel = "PEM",
      description = "Client certificate chain presented to HTTPS listeners (mutual TLS).")
  Path clientCert;

  @Option(
      names = "--tls-client-key",
      paramLabel = "PEM",
      description = "Private key of --tls-client-cert (unencrypted PKCS#8).")
  Path clientKey;

  @Option(
      names = "--auth-token",
      paramLabel = "TOKEN",
      description = "Sent as 'Authorization: Bearer TOKEN' with every request.")
  String token;

  @Option(
      names = "--auth-user",
      paramLabel = "USER:PASSWORD",
      description = "Sent as HTTP Basic credentials with every request.")
  String user;

  /**
   * The options as a {@link ClientSecurity}, its PEM files checked now, so a missing or wrong file
   * is one line naming it (exit 2) before any work starts.
   */
  ClientSecurity toClientSecurity() {
    ClientSecurity security =
        ClientSecurity.of(absolute(trust), absolute(clientCert), absolute(clientKey), token, user);
    if (security.hasTlsMaterial()) {
      security.configure(reactor.netty.http.client.HttpClient.create());
    }
    return security;
  }

  static Path absolute(Path path) {
    return path == null ? null : path.toAbsolutePath();
  }
}
