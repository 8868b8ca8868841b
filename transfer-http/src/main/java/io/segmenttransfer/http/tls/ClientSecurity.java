package io.segmenttransfer.http.tls;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.segmenttransfer.core.error.InvalidRequestException;
import java.nio.file.Path;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.client.HttpClient;

/**
 * How a client reaches HTTPS listeners and proves who it is: the CA certificates it trusts (else
 * the JVM's trust store), a client certificate for mutual TLS, and credentials sent on every
 * request. One method, {@link #configure}, applies it to a reactor-netty {@link HttpClient}; every
 * client of the project is built through it.
 *
 * <p>TLS applies to {@code https} URLs only: reactor-netty leaves a client's TLS settings unused
 * for a plain {@code http} URL, so one client serves both (a controller on HTTPS handing out
 * download URLs of a plain deep store). Hostname verification is always on.
 *
 * @param trust PEM file of the CA certificates to trust; null for the JVM's trust store
 * @param clientCert PEM file of the client certificate chain (mutual TLS); null for none
 * @param clientKey PEM file of its private key (unencrypted PKCS#8)
 * @param credentials sent as the {@code Authorization} header of every request; null for none
 * @param engine OpenSSL or the JDK's engine; null picks {@link TlsEngine#preferred()}, decided only
 *     when a TLS context is built (see {@link #engine()})
 */
public record ClientSecurity(
    @Nullable Path trust,
    @Nullable Path clientCert,
    @Nullable Path clientKey,
    @Nullable ClientCredentials credentials,
    @Nullable TlsEngine engine) {

  private static final ClientSecurity NONE = new ClientSecurity(null, null, null, null, null);

  public ClientSecurity {
    if ((clientCert == null) != (clientKey == null)) {
      throw new InvalidRequestException(
          null,
          clientCert == null
              ? "a TLS client key was given without its certificate (--tls-client-cert)"
              : "a TLS client certificate was given without its key (--tls-client-key)");
    }
  }

  /**
   * The engine chosen, else {@link TlsEngine#preferred()}. Kept null in the record until asked:
   * finding out whether OpenSSL is available loads and initialises netty-tcnative (its native
   * library extracted from the jar, and a JDK TLS context for its cipher list), about 500 classes
   * and a native load that a client of plain {@code http} URLs never uses (profiled: a fresh JVM's
   * {@code extract} of an {@code http://} URL did all of it before its first request).
   */
  @Override
  public TlsEngine engine() {
    return engine == null ? TlsEngine.preferred() : engine;
  }

  /** Today's behaviour: no credentials; {@code https} URLs checked against the JVM trust store. */
  public static ClientSecurity none() {
    return NONE;
  }

  /**
   * From the command line's or config file's values, any of them null: {@code --tls-trust}, {@code
   * --tls-client-cert}, {@code --tls-client-key}, {@code --auth-token}, {@code --auth-user}.
   *
   * @throws InvalidRequestException for a certificate without its key, or both kinds of credentials
   */
  public static ClientSecurity of(
      @Nullable Path trust,
      @Nullable Path clientCert,
      @Nullable Path clientKey,
      @Nullable String token,
      @Nullable String userColonPassword) {
    if (token != null && userColonPassword != null) {
      throw new InvalidRequestException(
          null, "give either an auth token (--auth-token) or a user (--auth-user), not both");
    }
    ClientCredentials credentials =
        token != null
            ? ClientCredentials.bearer(token)
            : userColonPassword != null ? ClientCredentials.basic(userColonPassword) : null;
    return new ClientSecurity(trust, clientCert, clientKey, credentials, null);
  }

  public ClientSecurity withTrust(@Nullable Path caPem) {
    return new ClientSecurity(caPem, clientCert, clientKey, credentials, engine);
  }

  public ClientSecurity withClientCertificate(@Nullable Path certPem, @Nullable Path keyPem) {
    return new ClientSecurity(trust, certPem, keyPem, credentials, engine);
  }

  public ClientSecurity withCredentials(@Nullable ClientCredentials newCredentials) {
    return new ClientSecurity(trust, clientCert, clientKey, newCredentials, engine);
  }

  public ClientSecurity withEngine(TlsEngine newEngine) {
    return new ClientSecurity(trust, clientCert, clientKey, credentials, newEngine);
  }

  /** Whether TLS is configured beyond the defaults (trust or a client certificate). */
  public boolean hasTlsMaterial() {
    return trust != null || clientCert != null;
  }

  /**
   * {@code client} with this security: the TLS settings for {@code https} URLs and the {@code
   * Authorization} header on every request. Reads the PEM files now (blocking: call it where a
   * client is built, not on an event loop).
   *
   * @throws InvalidRequestException naming a file that is missing, unreadable or does not fit
   */
  public HttpClient configure(HttpClient client) {
    HttpClient configured = client;
    // An engine chosen explicitly needs a context of its own only when it is not the preferred one
    // (compared only then, see engine()); https URLs otherwise get reactor-netty's defaults.
    if (hasTlsMaterial() || (engine != null && engine != TlsEngine.preferred())) {
      SslContext context = sslContext();
      configured =
          configured.secure(
              spec -> spec.sslContext(context).handlerConfigurator(ClientSecurity::verifyHost));
    }
    if (credentials != null) {
      String authorization = credentials.authorization();
      configured =
          configured.headers(headers -> headers.set(HttpHeaderNames.AUTHORIZATION, authorization));
    }
    return configured;
  }

  /** The client TLS context: TLS 1.2/1.3, the configured trust and client certificate. */
  SslContext sslContext() {
    SslContextBuilder builder =
        SslContextBuilder.forClient()
            .sslProvider(engine().provider())
            .protocols(TlsEngine.PROTOCOLS);
    if (trust != null) {
      builder.trustManager(TlsMaterial.certificates(trust, "TLS trust"));
    }
    if (clientCert != null) {
      TlsMaterial.KeyAndChain pair =
          TlsMaterial.pem(clientCert, Objects.requireNonNull(clientKey), "TLS client");
      builder.keyManager(pair.key(), pair.chain());
    }
    try {
      return builder.build();
    } catch (SSLException | RuntimeException e) {
      throw new InvalidRequestException(
          null, "TLS: cannot build the client's TLS settings: " + e.getMessage(), e);
    }
  }

  /**
   * Hostname verification (RFC 2818: the URL's host must be in the certificate), set here
   * explicitly rather than trusting a default that a custom configurator could replace.
   */
  private static void verifyHost(io.netty.handler.ssl.SslHandler handler) {
    SSLEngine sslEngine = handler.engine();
    SSLParameters parameters = sslEngine.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    sslEngine.setSSLParameters(parameters);
  }

  @Override
  public String toString() {
    return "ClientSecurity[trust="
        + (trust == null ? "JVM trust store" : trust)
        + (clientCert != null ? ", clientCert=" + clientCert : "")
        + (credentials != null ? ", " + credentials : "")
        + "]";
  }
}
