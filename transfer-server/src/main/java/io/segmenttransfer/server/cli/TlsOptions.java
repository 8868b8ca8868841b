package io.segmenttransfer.server.cli;

import io.segmenttransfer.http.tls.ServerTls;
import io.segmenttransfer.http.tls.ServerTlsConfig;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * HTTPS on a listener's own port ({@code controller}, {@code server}): {@code --tls-cert} and
 * {@code --tls-key}, and {@code --tls-client-ca} to require client certificates signed by that CA.
 * The files are reloaded when they change, so certificates rotate without a restart.
 */
final class TlsOptions {

  @Option(
      names = "--tls-cert",
      paramLabel = "PEM",
      description = "Serve HTTPS on the same port with this certificate chain (PEM).")
  Path cert;

  @Option(
      names = "--tls-key",
      paramLabel = "PEM",
      description = "Private key of --tls-cert (unencrypted PKCS#8 PEM).")
  Path key;

  @Option(
      names = "--tls-client-ca",
      paramLabel = "PEM",
      description = "Require client certificates signed by these CA certificates (mutual TLS).")
  Path clientCa;

  /** The listener's TLS, its files checked now (one line naming a bad file, exit 2). */
  Optional<ServerTlsConfig> toConfig() {
    Optional<ServerTlsConfig> config =
        ServerTlsConfig.of(
            ClientSecurityOptions.absolute(cert),
            ClientSecurityOptions.absolute(key),
            ClientSecurityOptions.absolute(clientCa));
    config.ifPresent(ServerTls::load);
    return config;
  }
}
