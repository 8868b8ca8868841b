package io.segmenttransfer.http.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/**
 * Which TLS implementation runs the handshakes and the record layer: BoringSSL through
 * netty-tcnative, or the JDK's {@code SSLEngine}. Both speak the same protocols and read the same
 * PEM files; OpenSSL is several times cheaper per byte, which matters for peer downloads of large
 * segments.
 */
public enum TlsEngine {
  OPENSSL(SslProvider.OPENSSL),
  JDK(SslProvider.JDK);

  /** The only protocol versions offered or accepted. */
  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final SslProvider provider;

  TlsEngine(SslProvider provider) {
    this.provider = provider;
  }

  SslProvider provider() {
    return provider;
  }

  /** OpenSSL when netty-tcnative's native library loads on this machine, else the JDK's engine. */
  public static TlsEngine preferred() {
    return OpenSsl.isAvailable() ? OPENSSL : JDK;
  }
}
