package io.segmenttransfer.http.tls;

import io.segmenttransfer.core.error.InvalidRequestException;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How a listener serves HTTPS: its certificate chain and private key, as PEM files ({@code
 * certChain} and {@code key}) or one PKCS#12 keystore ({@code keyStore} and its password), and
 * optionally a CA whose signed client certificates are then required (mutual TLS).
 *
 * @param certChain PEM file: the server's certificate first, then any intermediates
 * @param key PEM file: the private key (unencrypted PKCS#8, {@code BEGIN PRIVATE KEY})
 * @param keyStore PKCS#12 file holding the key and its chain, instead of the two PEM files
 * @param keyStorePassword the keystore's password (never shown by {@link #toString()})
 * @param clientCa PEM file of the CA certificates client certificates must chain to; null accepts
 *     clients without a certificate
 * @param engine OpenSSL or the JDK's engine; null picks {@link TlsEngine#preferred()}
 * @param reloadInterval how often the files' modification times are compared with the loaded ones
 *     (a changed file is loaded for the connections that follow)
 */
public record ServerTlsConfig(
    @Nullable Path certChain,
    @Nullable Path key,
    @Nullable Path keyStore,
    @Nullable String keyStorePassword,
    @Nullable Path clientCa,
    TlsEngine engine,
    Duration reloadInterval) {

  public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(10);

  public ServerTlsConfig {
    boolean pem = certChain != null || key != null;
    if (pem && keyStore != null) {
      throw new InvalidRequestException(
          null, "TLS: give either a PEM certificate and key or a PKCS#12 keystore, not both");
    }
    if (pem && (certChain == null || key == null)) {
      throw new InvalidRequestException(
          null,
          certChain == null
              ? "TLS: a private key was given without its certificate (--tls-cert)"
              : "TLS: a certificate was given without its private key (--tls-key)");
    }
    if (!pem && keyStore == null) {
      throw new InvalidRequestException(
          null, "TLS: a listener needs a certificate and key (--tls-cert, --tls-key)");
    }
    engine = engine == null ? TlsEngine.preferred() : engine;
    reloadInterval = reloadInterval == null ? DEFAULT_RELOAD_INTERVAL : reloadInterval;
    if (reloadInterval.isNegative() || reloadInterval.isZero()) {
      throw new InvalidRequestException(
          null, "TLS reload interval must be positive, was " + reloadInterval);
    }
  }

  /**
   * From the command line's or config file's values ({@code --tls-cert}, {@code --tls-key}, {@code
   * --tls-client-ca}): empty when none is given (plain HTTP).
   *
   * @throws InvalidRequestException for a certificate without its key or a client CA without both
   */
  public static java.util.Optional<ServerTlsConfig> of(
      @Nullable Path certChain, @Nullable Path key, @Nullable Path clientCa) {
    if (certChain == null && key == null && clientCa == null) {
      return java.util.Optional.empty();
    }
    if (certChain == null && key == null) {
      throw new InvalidRequestException(
          null, "TLS: a client CA (--tls-client-ca) needs the listener's --tls-cert and --tls-key");
    }
    return java.util.Optional.of(
        new ServerTlsConfig(certChain, key, null, null, clientCa, null, null));
  }

  /** HTTPS from a PEM certificate chain and its private key. */
  public static ServerTlsConfig pem(Path certChain, Path key) {
    return new ServerTlsConfig(certChain, key, null, null, null, null, null);
  }

  /** HTTPS from a PKCS#12 keystore holding one private key and its chain. */
  public static ServerTlsConfig pkcs12(Path keyStore, @Nullable String password) {
    return new ServerTlsConfig(null, null, keyStore, password, null, null, null);
  }

  /** Mutual TLS: clients must present a certificate signed by a CA in {@code caPem}. */
  public ServerTlsConfig withClientCa(@Nullable Path caPem) {
    return new ServerTlsConfig(
        certChain, key, keyStore, keyStorePassword, caPem, engine, reloadInterval);
  }

  public ServerTlsConfig withEngine(TlsEngine newEngine) {
    return new ServerTlsConfig(
        certChain, key, keyStore, keyStorePassword, clientCa, newEngine, reloadInterval);
  }

  public ServerTlsConfig withReloadInterval(Duration interval) {
    return new ServerTlsConfig(
        certChain, key, keyStore, keyStorePassword, clientCa, engine, interval);
  }

  @Override
  public String toString() {
    return "ServerTlsConfig["
        + (keyStore != null ? "keyStore=" + keyStore : "certChain=" + certChain + ", key=" + key)
        + (clientCa != null ? ", clientCa=" + clientCa : "")
        + ", engine="
        + engine
        + "]";
  }
}
