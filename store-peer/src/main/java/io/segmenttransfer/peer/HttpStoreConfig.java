package io.segmenttransfer.peer;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.http.tls.ClientSecurity;
import java.time.Duration;

/**
 * How {@link HttpSegmentStore} talks to HTTP sources (peers, a controller, any HTTP deep store).
 * These are network-level limits; the downloader adds its own first-byte, idle and overall timeouts
 * on top (DownloadConfig).
 *
 * @param connectTimeout the longest wait for a TCP (and TLS) connection
 * @param responseTimeout the longest silence on a connection while a response is expected or being
 *     received (reactor-netty applies it between network reads, so it also bounds a stalled body)
 * @param maxConnections connections kept per remote host
 * @param followRedirects whether 3xx answers are followed (a controller may redirect downloads)
 * @param security trust, client certificate and credentials for {@code https} sources and every
 *     request ({@link ClientSecurity#none()}: the JVM trust store, no credentials)
 * @param peerCodec the compression asked of sources that build an archive per request (this
 *     project's peer endpoint, {@code Accept}): {@link Codec#ZSTD} (the default) spends the peer's
 *     cores to halve the bytes on the wire; {@link Codec#NONE} asks for the plain tar, which costs
 *     the peer no compression and the link about twice the bytes, for links faster than a peer
 *     compresses (a few Gbit/s on two cores); {@link Codec#LZ4} and {@link Codec#GZIP} are there
 *     for completeness. Pinot servers, controllers and object stores ignore it and send the archive
 *     they hold; the codec is always detected from the bytes.
 */
public record HttpStoreConfig(
    Duration connectTimeout,
    Duration responseTimeout,
    int maxConnections,
    boolean followRedirects,
    ClientSecurity security,
    Codec peerCodec) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(60);
  public static final int DEFAULT_MAX_CONNECTIONS = 64;
  public static final boolean DEFAULT_FOLLOW_REDIRECTS = true;
  public static final Codec DEFAULT_PEER_CODEC = Codec.ZSTD;

  public HttpStoreConfig {
    security = security == null ? ClientSecurity.none() : security;
    peerCodec = peerCodec == null ? DEFAULT_PEER_CODEC : peerCodec;
    if (connectTimeout == null
        || connectTimeout.isZero()
        || connectTimeout.isNegative()
        || connectTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "connectTimeout must be positive and below 24 days, was " + connectTimeout);
    }
    if (responseTimeout == null || responseTimeout.isZero() || responseTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "responseTimeout must be positive, was " + responseTimeout);
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException(
          "maxConnections must be at least 1, was " + maxConnections);
    }
  }

  /** Without client security ({@link ClientSecurity#none()}), asking peers for zstd. */
  public HttpStoreConfig(
      Duration connectTimeout,
      Duration responseTimeout,
      int maxConnections,
      boolean followRedirects) {
    this(connectTimeout, responseTimeout, maxConnections, followRedirects, null, null);
  }

  public static HttpStoreConfig defaults() {
    return new HttpStoreConfig(
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_RESPONSE_TIMEOUT,
        DEFAULT_MAX_CONNECTIONS,
        DEFAULT_FOLLOW_REDIRECTS);
  }

  public HttpStoreConfig withTimeouts(Duration connect, Duration response) {
    return new HttpStoreConfig(
        connect, response, maxConnections, followRedirects, security, peerCodec);
  }

  public HttpStoreConfig withSecurity(ClientSecurity newSecurity) {
    return new HttpStoreConfig(
        connectTimeout, responseTimeout, maxConnections, followRedirects, newSecurity, peerCodec);
  }

  public HttpStoreConfig withPeerCodec(Codec codec) {
    return new HttpStoreConfig(
        connectTimeout, responseTimeout, maxConnections, followRedirects, security, codec);
  }
}
