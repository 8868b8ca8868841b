package io.segmenttransfer.http.tls;

import io.netty.handler.ssl.SslHandler;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLPeerUnverifiedException;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Certificates made by the tests, never checked in: a certificate authority and the server and
 * client certificates it signs, written as PEM files (certificate chain, unencrypted PKCS#8 key)
 * the way an operator would hand them to {@code --tls-cert}/{@code --tls-key}; valid two days. The
 * test-side names for {@link CertificateAuthority}, which makes them.
 */
public final class TestCertificates {

  private static final Duration VALIDITY = Duration.ofDays(2);

  /** A certificate and its key as PEM files. */
  public record Pem(Path certificate, Path key, X509Certificate x509) {}

  /** A CA: its certificate as a PEM file (to trust) and the key it signs with. */
  public static final class Authority {
    private final CertificateAuthority authority;

    private Authority(CertificateAuthority authority) {
      this.authority = authority;
    }

    /** The CA certificate's PEM file: what a client trusts, or a listener's client CA. */
    public Path certificate() {
      return authority.certificate();
    }

    /**
     * A leaf certificate for {@code names} (DNS names, or IP addresses such as {@code 127.0.0.1}),
     * signed by this CA, written to {@code <dir>/<stem>.crt} and {@code <stem>.key} (replacing
     * files already there, as a rotation would).
     */
    public Pem issue(Path dir, String stem, String commonName, String... names) {
      CertificateAuthority.Issued issued = authority.issue(dir, stem, commonName, VALIDITY, names);
      return new Pem(issued.certificate(), issued.key(), issued.x509());
    }
  }

  private TestCertificates() {}

  /** The certificate a server presents to {@code client}'s next connection to {@code uri}. */
  public static X509Certificate presented(HttpClient client, URI uri, Duration timeout) {
    return client
        .get()
        .uri(uri)
        .responseConnection(
            (response, connection) -> {
              X509Certificate certificate;
              try {
                certificate =
                    (X509Certificate)
                        connection
                            .channel()
                            .pipeline()
                            .get(SslHandler.class)
                            .engine()
                            .getSession()
                            .getPeerCertificates()[0];
              } catch (SSLPeerUnverifiedException e) {
                return Mono.error(e);
              }
              return connection.inbound().receive().then(Mono.just(certificate));
            })
        .single()
        .block(timeout);
  }

  /** A new self-signed CA whose certificate is written to {@code <dir>/<stem>.crt}. */
  public static Authority authority(Path dir, String stem) {
    return new Authority(CertificateAuthority.create(dir, stem, stem + " test CA", VALIDITY));
  }
}
