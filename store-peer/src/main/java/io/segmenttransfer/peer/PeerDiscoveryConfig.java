package io.segmenttransfer.peer;

import java.net.URI;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where and how {@link ExternalViewPeerFinder} looks for peers.
 *
 * @param controller the controller's base URI ({@code http://controller:9000})
 * @param selfInstanceId this server's instance id ({@code Server_<host>_<port>}), never offered as
 *     a peer of itself; empty for a client that is not a server (the command line)
 * @param peerScheme {@code http} or {@code https}, how peers' admin ports are reached (Pinot's
 *     {@code peerSegmentDownloadScheme})
 * @param defaultAdminPort the admin port of an instance whose record has none (Pinot's default
 *     8097)
 * @param instanceLookupConcurrency instance records fetched at once
 */
public record PeerDiscoveryConfig(
    URI controller,
    Optional<String> selfInstanceId,
    String peerScheme,
    int defaultAdminPort,
    int instanceLookupConcurrency) {

  public static final String DEFAULT_PEER_SCHEME = "http";
  public static final int DEFAULT_ADMIN_PORT = 8097;
  public static final int DEFAULT_INSTANCE_LOOKUP_CONCURRENCY = 8;

  public PeerDiscoveryConfig {
    if (controller == null || controller.getScheme() == null || controller.getHost() == null) {
      throw new IllegalArgumentException(
          "controller must be an absolute http(s) URI, was " + controller);
    }
    selfInstanceId = selfInstanceId == null ? Optional.empty() : selfInstanceId;
    if (!"http".equals(peerScheme) && !"https".equals(peerScheme)) {
      throw new IllegalArgumentException("peerScheme must be http or https, was " + peerScheme);
    }
    if (defaultAdminPort < 1 || defaultAdminPort > 65535) {
      throw new IllegalArgumentException(
          "defaultAdminPort must be a TCP port, was " + defaultAdminPort);
    }
    if (instanceLookupConcurrency < 1) {
      throw new IllegalArgumentException(
          "instanceLookupConcurrency must be at least 1, was " + instanceLookupConcurrency);
    }
  }

  /** Discovery through {@code controller} for the server {@code selfInstanceId} (null for none). */
  public static PeerDiscoveryConfig of(URI controller, @Nullable String selfInstanceId) {
    return new PeerDiscoveryConfig(
        controller,
        Optional.ofNullable(selfInstanceId),
        DEFAULT_PEER_SCHEME,
        DEFAULT_ADMIN_PORT,
        DEFAULT_INSTANCE_LOOKUP_CONCURRENCY);
  }

  public PeerDiscoveryConfig withPeerScheme(String scheme) {
    return new PeerDiscoveryConfig(
        controller, selfInstanceId, scheme, defaultAdminPort, instanceLookupConcurrency);
  }
}
