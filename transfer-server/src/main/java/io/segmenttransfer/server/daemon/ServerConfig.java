package io.segmenttransfer.server.daemon;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.local.DataDirectoryConfig;
import io.segmenttransfer.http.limits.ListenerLimits;
import io.segmenttransfer.http.tls.SecuritySettings;
import io.segmenttransfer.peer.HttpStoreConfig;
import io.segmenttransfer.peer.PeerServeConfig;
import io.segmenttransfer.s3.S3Config;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Everything a server daemon needs. Built by {@link ServerSettings} from flags over a config file
 * over these defaults.
 *
 * @param controller the controller's base URL
 * @param dataDir where segments live
 * @param host the host peers and the controller reach this server at
 * @param adminPort the admin/peer HTTP port (0 picks a free one)
 * @param instanceId the instance id; null means {@code Server_<host>_<adminPort>}
 * @param deepStore where this server uploads its copies when asked; null refuses uploads
 * @param maxParallelDownloads Pinot's {@code max.parallel.segment.downloads}
 * @param maxParallelDownloadsPerTable 0 for no per-table limit
 * @param maxPeerUploads concurrent peer downloads served; more get 503 + Retry-After
 * @param peerBytesPerSecond bandwidth for serving peers; 0 for no limit
 * @param longPoll how long one assignment long-poll may wait on the controller
 * @param shutdownDeadline how long in-flight transfers may finish on shutdown before they are
 *     cancelled
 * @param keyset Tink keyset for encrypted segments; null for none
 * @param s3 S3 client settings for {@code s3://} deep stores and download URLs
 * @param commit how segments built here are committed and uploaded; null for the defaults
 * @param authFile the auth file (principals, hashed secrets, permissions) every request to the
 *     admin and peer port is checked against; null leaves every route open
 * @param listenerLimits what the admin/peer listener accepts; null for the defaults
 * @param security HTTPS for the admin/peer port, and the TLS settings and credentials of its own
 *     calls to the controller and peers; null for plain HTTP ({@link SecuritySettings#none()})
 * @param peerCodec the compression this server asks its peers for when it downloads from them
 *     ({@link HttpStoreConfig#peerCodec()}); null for zstd
 * @param peerCacheBytes how many bytes of archives built for peers are kept on disk so a resumed
 *     download is served the same bytes ({@link PeerServeConfig#maxCacheBytes()}); an archive
 *     larger than this is never kept
 */
public record ServerConfig(
    URI controller,
    Path dataDir,
    String host,
    int adminPort,
    String instanceId,
    URI deepStore,
    int maxParallelDownloads,
    int maxParallelDownloadsPerTable,
    int maxPeerUploads,
    long peerBytesPerSecond,
    Duration longPoll,
    Duration shutdownDeadline,
    Path keyset,
    S3Config s3,
    CommitConfig commit,
    @Nullable Path authFile,
    ListenerLimits listenerLimits,
    SecuritySettings security,
    Codec peerCodec,
    long peerCacheBytes) {

  /** Without an auth file (every route open), default listener limits, plain HTTP. */
  public ServerConfig(
      URI controller,
      Path dataDir,
      String host,
      int adminPort,
      String instanceId,
      URI deepStore,
      int maxParallelDownloads,
      int maxParallelDownloadsPerTable,
      int maxPeerUploads,
      long peerBytesPerSecond,
      Duration longPoll,
      Duration shutdownDeadline,
      Path keyset,
      S3Config s3,
      CommitConfig commit) {
    this(
        controller,
        dataDir,
        host,
        adminPort,
        instanceId,
        deepStore,
        maxParallelDownloads,
        maxParallelDownloadsPerTable,
        maxPeerUploads,
        peerBytesPerSecond,
        longPoll,
        shutdownDeadline,
        keyset,
        s3,
        commit,
        null,
        null,
        null,
        null,
        PeerServeConfig.DEFAULT_MAX_CACHE_BYTES);
  }

  /** Without commit settings: the defaults ({@link CommitConfig#defaults()}). */
  public ServerConfig(
      URI controller,
      Path dataDir,
      String host,
      int adminPort,
      String instanceId,
      URI deepStore,
      int maxParallelDownloads,
      int maxParallelDownloadsPerTable,
      int maxPeerUploads,
      long peerBytesPerSecond,
      Duration longPoll,
      Duration shutdownDeadline,
      Path keyset,
      S3Config s3) {
    this(
        controller,
        dataDir,
        host,
        adminPort,
        instanceId,
        deepStore,
        maxParallelDownloads,
        maxParallelDownloadsPerTable,
        maxPeerUploads,
        peerBytesPerSecond,
        longPoll,
        shutdownDeadline,
        keyset,
        s3,
        null);
  }

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_ADMIN_PORT = 8097;
  public static final int DEFAULT_MAX_PEER_UPLOADS = 8;
  public static final Duration DEFAULT_LONG_POLL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_SHUTDOWN_DEADLINE = Duration.ofSeconds(30);

  public ServerConfig {
    if (controller == null) {
      throw new InvalidRequestException(null, "the server needs a controller URL (--controller)");
    }
    if (dataDir == null) {
      throw new InvalidRequestException(null, "the server needs a data directory (--data-dir)");
    }
    if (adminPort < 0 || adminPort > 65535) {
      throw new InvalidRequestException(null, "admin port " + adminPort + " is not a port number");
    }
    if (maxParallelDownloads < 0
        || maxParallelDownloadsPerTable < 0
        || maxPeerUploads < 1
        || peerBytesPerSecond < 0) {
      throw new InvalidRequestException(
          null, "limits must be positive (0 = none for downloads and bandwidth)");
    }
    if (peerCacheBytes < 0) {
      throw new InvalidRequestException(
          null, "peerCacheBytes must not be negative (0 keeps no archive), was " + peerCacheBytes);
    }
    if (longPoll.isNegative() || longPoll.isZero() || shutdownDeadline.isNegative()) {
      throw new InvalidRequestException(null, "durations must be positive");
    }
    host = host == null || host.isBlank() ? DEFAULT_HOST : host;
    s3 = s3 == null ? S3Config.defaults() : s3;
    commit = commit == null ? CommitConfig.defaults() : commit;
    listenerLimits = listenerLimits == null ? ListenerLimits.defaults() : listenerLimits;
    security = security == null ? SecuritySettings.none() : security;
    peerCodec = peerCodec == null ? HttpStoreConfig.DEFAULT_PEER_CODEC : peerCodec;
  }

  public ServerConfig withCommit(CommitConfig commit) {
    return with(copy -> copy.commit = commit);
  }

  public ServerConfig withAuthFile(@Nullable Path file) {
    return with(copy -> copy.authFile = file);
  }

  public ServerConfig withListenerLimits(ListenerLimits limits) {
    return with(copy -> copy.listenerLimits = limits);
  }

  public ServerConfig withSecurity(SecuritySettings newSecurity) {
    return with(copy -> copy.security = newSecurity);
  }

  public ServerConfig withPeerCodec(Codec codec) {
    return with(copy -> copy.peerCodec = codec);
  }

  public ServerConfig withPeerCacheBytes(long bytes) {
    return with(copy -> copy.peerCacheBytes = bytes);
  }

  /** How this server's downloads talk to peers and controllers. */
  public HttpStoreConfig httpStoreConfig() {
    return HttpStoreConfig.defaults().withSecurity(security.client()).withPeerCodec(peerCodec);
  }

  public DataDirectoryConfig dataDirectoryConfig() {
    return DataDirectoryConfig.defaults()
        .withLimits(maxParallelDownloads, maxParallelDownloadsPerTable);
  }

  /**
   * This config with one or more components changed: the one place that lists every component, so
   * each {@code with...} method names only what it changes.
   */
  private ServerConfig with(java.util.function.Consumer<Copy> change) {
    Copy copy = new Copy(this);
    change.accept(copy);
    return copy.build();
  }

  /** A mutable copy of every component, turned back into a validated config by {@link #build}. */
  private static final class Copy {
    private URI controller;
    private Path dataDir;
    private String host;
    private int adminPort;
    private String instanceId;
    private URI deepStore;
    private int maxParallelDownloads;
    private int maxParallelDownloadsPerTable;
    private int maxPeerUploads;
    private long peerBytesPerSecond;
    private Duration longPoll;
    private Duration shutdownDeadline;
    private Path keyset;
    private S3Config s3;
    private CommitConfig commit;
    private @Nullable Path authFile;
    private ListenerLimits listenerLimits;
    private SecuritySettings security;
    private Codec peerCodec;
    private long peerCacheBytes;

    Copy(ServerConfig from) {
      controller = from.controller;
      dataDir = from.dataDir;
      host = from.host;
      adminPort = from.adminPort;
      instanceId = from.instanceId;
      deepStore = from.deepStore;
      maxParallelDownloads = from.maxParallelDownloads;
      maxParallelDownloadsPerTable = from.maxParallelDownloadsPerTable;
      maxPeerUploads = from.maxPeerUploads;
      peerBytesPerSecond = from.peerBytesPerSecond;
      longPoll = from.longPoll;
      shutdownDeadline = from.shutdownDeadline;
      keyset = from.keyset;
      s3 = from.s3;
      commit = from.commit;
      authFile = from.authFile;
      listenerLimits = from.listenerLimits;
      security = from.security;
      peerCodec = from.peerCodec;
      peerCacheBytes = from.peerCacheBytes;
    }

    ServerConfig build() {
      return new ServerConfig(
          controller,
          dataDir,
          host,
          adminPort,
          instanceId,
          deepStore,
          maxParallelDownloads,
          maxParallelDownloadsPerTable,
          maxPeerUploads,
          peerBytesPerSecond,
          longPoll,
          shutdownDeadline,
          keyset,
          s3,
          commit,
          authFile,
          listenerLimits,
          security,
          peerCodec,
          peerCacheBytes);
    }
  }
}
