package io.segmenttransfer.controller;

import io.segmenttransfer.controller.sync.DeepStoreSyncConfig;
import io.segmenttransfer.controller.task.DeepStoreRepairConfig;
import io.segmenttransfer.core.archive.ArchiveLimits;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.http.limits.ListenerLimits;
import io.segmenttransfer.http.tls.SecuritySettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How an {@link EmbeddedController} runs.
 *
 * @param port the HTTP port; 0 picks a free one ({@link EmbeddedController#port()} tells which)
 * @param dataDir where the controller keeps its state ({@code <dataDir>/state}) and, by default,
 *     its deep store
 * @param deepStore where uploaded archives go; its scheme picks the {@code SegmentStore}
 * @param bindHost the address to listen on
 * @param advertisedHost the host put into download URLs ({@code segment.download.url}), so it must
 *     be reachable by servers
 * @param maxLongPoll the longest a {@code GET /instances/{id}/assignment} waits; longer requested
 *     timeouts are cut to this
 * @param archiveLimits what an uploaded archive may hold (tar push); the same limits, and by
 *     default the same values, as a download's, since an upload is decoded by the same decoder
 * @param deepStoreRepair the deep-store repair task: its interval (0 disables the schedule), upload
 *     timeout and concurrency
 * @param deepStoreSync the deep-store sync task: its schedule (0, the default, runs it on demand
 *     only), parallelism and processor timeout
 * @param instanceSession how long an instance counts as live after its last request when none of
 *     its long polls is open ({@link #DEFAULT_INSTANCE_SESSION})
 * @param authFile the auth file (principals, hashed secrets, permissions) every request is checked
 *     against; null leaves every route open, as before authentication existed
 * @param listenerLimits what the HTTP listener accepts: header sizes, connections, timeouts, body
 *     sizes ({@link ListenerLimits#defaults()} when null)
 * @param security HTTPS for its listener (download URLs then start with {@code https}) and the
 *     client TLS settings and credentials it calls servers with ({@link SecuritySettings#none()}:
 *     plain HTTP)
 */
public record ControllerConfig(
    int port,
    Path dataDir,
    URI deepStore,
    String bindHost,
    String advertisedHost,
    Duration maxLongPoll,
    ArchiveLimits archiveLimits,
    DeepStoreRepairConfig deepStoreRepair,
    DeepStoreSyncConfig deepStoreSync,
    Duration instanceSession,
    @Nullable Path authFile,
    ListenerLimits listenerLimits,
    SecuritySettings security) {

  /**
   * How long an instance stays live after its last request when no long poll of its is open: a
   * registration of its id from another host or port is refused (409) while it is live.
   */
  public static final Duration DEFAULT_INSTANCE_SESSION = Duration.ofSeconds(30);

  /** Pinot's controller port. */
  public static final int DEFAULT_PORT = 9000;

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final Duration DEFAULT_MAX_LONG_POLL = Duration.ofMinutes(5);

  /** The deep store's directory under the data dir when none is given. */
  public static final String DEFAULT_DEEP_STORE_DIR = "deepstore";

  public ControllerConfig {
    if (port < 0 || port > 65535) {
      throw new InvalidRequestException(null, "controller port must be 0-65535, was " + port);
    }
    if (dataDir == null) {
      throw new InvalidRequestException(null, "controller needs a data directory");
    }
    dataDir = dataDir.toAbsolutePath().normalize();
    if (deepStore == null) {
      deepStore = defaultDeepStore(dataDir);
    }
    if (bindHost == null || bindHost.isBlank()) {
      bindHost = DEFAULT_HOST;
    }
    if (advertisedHost == null || advertisedHost.isBlank()) {
      advertisedHost =
          bindHost.equals("0.0.0.0") || bindHost.equals("::") ? DEFAULT_HOST : bindHost;
    }
    if (maxLongPoll == null || maxLongPoll.isNegative() || maxLongPoll.isZero()) {
      maxLongPoll = DEFAULT_MAX_LONG_POLL;
    }
    if (archiveLimits == null) {
      archiveLimits = ArchiveLimits.defaults();
    }
    if (deepStoreRepair == null) {
      deepStoreRepair = DeepStoreRepairConfig.defaults();
    }
    if (deepStoreSync == null) {
      deepStoreSync = DeepStoreSyncConfig.defaults();
    }
    if (instanceSession == null) {
      instanceSession = DEFAULT_INSTANCE_SESSION;
    }
    if (listenerLimits == null) {
      listenerLimits = ListenerLimits.defaults();
    }
    if (security == null) {
      security = SecuritySettings.none();
    }
    if (instanceSession.isNegative() || instanceSession.isZero()) {
      throw new InvalidRequestException(
          null, "instance session must be positive, was " + instanceSession);
    }
  }

  /** Without authentication: every route open. */
  public ControllerConfig(
      int port,
      Path dataDir,
      URI deepStore,
      String bindHost,
      String advertisedHost,
      Duration maxLongPoll,
      ArchiveLimits archiveLimits,
      DeepStoreRepairConfig deepStoreRepair,
      DeepStoreSyncConfig deepStoreSync,
      Duration instanceSession) {
    this(
        port,
        dataDir,
        deepStore,
        bindHost,
        advertisedHost,
        maxLongPoll,
        archiveLimits,
        deepStoreRepair,
        deepStoreSync,
        instanceSession,
        null,
        null,
        null);
  }

  /** With the default deep-store repair. */
  public ControllerConfig(
      int port,
      Path dataDir,
      URI deepStore,
      String bindHost,
      String advertisedHost,
      Duration maxLongPoll,
      ArchiveLimits archiveLimits) {
    this(
        port,
        dataDir,
        deepStore,
        bindHost,
        advertisedHost,
        maxLongPoll,
        archiveLimits,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** With the default archive limits. */
  public ControllerConfig(
      int port,
      Path dataDir,
      URI deepStore,
      String bindHost,
      String advertisedHost,
      Duration maxLongPoll) {
    this(
        port,
        dataDir,
        deepStore,
        bindHost,
        advertisedHost,
        maxLongPoll,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** Port 9000 on the loopback address, deep store under the data dir. */
  public static ControllerConfig defaults(Path dataDir) {
    return new ControllerConfig(DEFAULT_PORT, dataDir, null, null, null, null);
  }

  /** {@code file://<dataDir>/deepstore}. */
  public static URI defaultDeepStore(Path dataDir) {
    return dataDir.toAbsolutePath().normalize().resolve(DEFAULT_DEEP_STORE_DIR).toUri();
  }

  public ControllerConfig withPort(int newPort) {
    return with(copy -> copy.port = newPort);
  }

  public ControllerConfig withDeepStore(URI uri) {
    return with(copy -> copy.deepStore = uri);
  }

  public ControllerConfig withArchiveLimits(ArchiveLimits limits) {
    return with(copy -> copy.archiveLimits = limits);
  }

  public ControllerConfig withDeepStoreRepair(DeepStoreRepairConfig repair) {
    return with(copy -> copy.deepStoreRepair = repair);
  }

  public ControllerConfig withDeepStoreSync(DeepStoreSyncConfig sync) {
    return with(copy -> copy.deepStoreSync = sync);
  }

  public ControllerConfig withInstanceSession(Duration session) {
    return with(copy -> copy.instanceSession = session);
  }

  public ControllerConfig withAuthFile(@Nullable Path file) {
    return with(copy -> copy.authFile = file);
  }

  public ControllerConfig withListenerLimits(ListenerLimits limits) {
    return with(copy -> copy.listenerLimits = limits);
  }

  public ControllerConfig withSecurity(SecuritySettings newSecurity) {
    return with(copy -> copy.security = newSecurity);
  }

  /**
   * This config with one or more components changed: the one place that lists every component, so
   * each {@code with...} method names only what it changes.
   */
  private ControllerConfig with(java.util.function.Consumer<Copy> change) {
    Copy copy = new Copy(this);
    change.accept(copy);
    return copy.build();
  }

  /** A mutable copy of every component, turned back into a validated config by {@link #build}. */
  private static final class Copy {
    private int port;
    private Path dataDir;
    private URI deepStore;
    private String bindHost;
    private String advertisedHost;
    private Duration maxLongPoll;
    private ArchiveLimits archiveLimits;
    private DeepStoreRepairConfig deepStoreRepair;
    private DeepStoreSyncConfig deepStoreSync;
    private Duration instanceSession;
    private @Nullable Path authFile;
    private ListenerLimits listenerLimits;
    private SecuritySettings security;

    Copy(ControllerConfig from) {
      port = from.port;
      dataDir = from.dataDir;
      deepStore = from.deepStore;
      bindHost = from.bindHost;
      advertisedHost = from.advertisedHost;
      maxLongPoll = from.maxLongPoll;
      archiveLimits = from.archiveLimits;
      deepStoreRepair = from.deepStoreRepair;
      deepStoreSync = from.deepStoreSync;
      instanceSession = from.instanceSession;
      authFile = from.authFile;
      listenerLimits = from.listenerLimits;
      security = from.security;
    }

    ControllerConfig build() {
      return new ControllerConfig(
          port,
          dataDir,
          deepStore,
          bindHost,
          advertisedHost,
          maxLongPoll,
          archiveLimits,
          deepStoreRepair,
          deepStoreSync,
          instanceSession,
          authFile,
          listenerLimits,
          security);
    }
  }
}
