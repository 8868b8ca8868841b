package io.segmenttransfer.http.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.segmenttransfer.core.error.InvalidRequestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServer;

/**
 * HTTPS for a reactor-netty {@link HttpServer}, on the same port: TLS 1.2 and 1.3 only, the
 * certificate from a {@link ServerTlsConfig}, client certificates required when it names a client
 * CA.
 *
 * <p>Rotation: while the listener is bound, the certificate, key and CA files' modification times
 * and sizes are compared with the loaded ones every {@link ServerTlsConfig#reloadInterval()} (on
 * the bounded-elastic scheduler, never an event loop). When they changed and the files load, new
 * connections get the new certificate; connections already open keep theirs. Files that do not load
 * (a rotation half done: the new certificate with the old key) are logged once and retried at the
 * next check; the old certificate stays in use meanwhile.
 */
public final class ServerTls {

  private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

  private final ServerTlsConfig config;
  private final ReloadingSslContext context;
  private volatile List<FileStamp> loaded;
  private volatile List<FileStamp> lastFailed = List.of();
  private final AtomicReference<@Nullable Disposable> watcher = new AtomicReference<>();

  private volatile X509Certificate[] chain;

  private ServerTls(
      ServerTlsConfig config, TlsMaterial.KeyAndChain material, List<FileStamp> loaded) {
    this.config = config;
    this.context = new ReloadingSslContext(build(config, material));
    this.chain = material.chain();
    this.loaded = loaded;
  }

  /**
   * Loads the certificate and key now (blocking: file reads).
   *
   * @throws InvalidRequestException naming the file that is missing, unreadable or wrong
   */
  public static ServerTls load(ServerTlsConfig config) {
    List<FileStamp> stamps = stamps(config);
    return new ServerTls(config, material(config), stamps);
  }

  /**
   * {@code server} serving HTTPS when {@code config} is present, unchanged otherwise: the one call
   * a listener's builder chain makes.
   *
   * @throws InvalidRequestException when the files cannot be used (see {@link #load})
   */
  public static HttpServer secure(Optional<ServerTlsConfig> config, HttpServer server) {
    return config.map(c -> load(c).applyTo(server)).orElse(server);
  }

  /**
   * {@code server} with this certificate; the reload check runs while it is bound (started on bind,
   * stopped on unbind).
   */
  public HttpServer applyTo(HttpServer server) {
    return server
        .secure(spec -> spec.sslContext(context))
        .doOnBound(bound -> startWatching())
        .doOnUnbound(bound -> stopWatching());
  }

  /**
   * Re-reads the certificate and key now, whether or not the files look changed (blocking: run it
   * off the event loops), and logs one line: what is now served, or why the old certificate stays.
   * What {@link CertificateReloads#reloadAll} calls for every bound listener (on SIGHUP).
   *
   * @param cause why, for the log line ("SIGHUP")
   * @return whether the new files are now in use
   */
  public boolean reloadNow(String cause) {
    return reload(stamps(config), " on " + cause, true);
  }

  public ServerTlsConfig config() {
    return config;
  }

  /** The certificate new connections are given now (the leaf). */
  public X509Certificate certificate() {
    return chain[0];
  }

  /**
   * Reloads when a file changed since the last load (blocking: run it off the event loops). Returns
   * whether a new certificate is now in use; a failed load keeps the old one.
   */
  public boolean reloadIfChanged() {
    List<FileStamp> now = stamps(config);
    // A broken rotation is reported once, not every interval until someone fixes the files.
    return !now.equals(loaded) && reload(now, "", !now.equals(lastFailed));
  }

  /** Loads the files and swaps them in, logging one line; a failed load keeps the old ones. */
  private boolean reload(List<FileStamp> now, String when, boolean reportFailure) {
    try {
      TlsMaterial.KeyAndChain material = material(config);
      context.replace(build(config, material));
      chain = material.chain();
      loaded = now;
      LOG.info(
          "TLS certificate reloaded{}: {} (valid until {}) from {}",
          when,
          material.chain()[0].getSubjectX500Principal().getName(),
          material.chain()[0].getNotAfter().toInstant(),
          config.keyStore() != null ? config.keyStore() : config.certChain());
      return true;
    } catch (InvalidRequestException e) {
      if (reportFailure) {
        LOG.warn(
            "TLS certificate not reloaded{}, the previous one stays in use: {}",
            when,
            e.getMessage());
      }
      lastFailed = now;
      return false;
    }
  }

  private void startWatching() {
    CertificateReloads.bound(this);
    Disposable next =
        Flux.interval(config.reloadInterval(), config.reloadInterval(), Schedulers.boundedElastic())
            .onBackpressureDrop()
            .subscribe(
                tick -> reloadIfChanged(),
                error -> LOG.warn("TLS certificate reload check stopped: {}", error.toString()));
    stopLater(watcher.getAndSet(next));
  }

  private void stopWatching() {
    CertificateReloads.unbound(this);
    stopLater(watcher.getAndSet(null));
  }

  /**
   * Disposes a reload check off the event loop that bound or unbound the listener: cancelling its
   * timer takes the timer executor's queue lock, which waits while the executor's own thread holds
   * it (BlockHound caught it parking an event loop). A check that runs once more in between only
   * re-reads the files.
   */
  private static void stopLater(@Nullable Disposable check) {
    if (check == null) {
      return;
    }
    try {
      Schedulers.boundedElastic().schedule(check::dispose);
    } catch (RejectedExecutionException e) {
      // Reactor's schedulers are shut down (the JVM is exiting): nothing else can take the lock.
      check.dispose();
    }
  }

  private static TlsMaterial.KeyAndChain material(ServerTlsConfig config) {
    return config.keyStore() != null
        ? TlsMaterial.keyStore(config.keyStore(), config.keyStorePassword())
        : TlsMaterial.pem(
            Objects.requireNonNull(config.certChain()),
            Objects.requireNonNull(config.key()),
            "TLS");
  }

  private static SslContext build(ServerTlsConfig config, TlsMaterial.KeyAndChain material) {
    SslContextBuilder builder =
        SslContextBuilder.forServer(material.key(), material.chain())
            .sslProvider(config.engine().provider())
            .protocols(TlsEngine.PROTOCOLS);
    if (config.clientCa() != null) {
      builder
          .trustManager(TlsMaterial.certificates(config.clientCa(), "TLS client CA"))
          .clientAuth(ClientAuth.REQUIRE);
    }
    try {
      return builder.build();
    } catch (SSLException | RuntimeException e) {
      throw new InvalidRequestException(
          null, "TLS: cannot use the certificate and key of " + config + ": " + e.getMessage(), e);
    }
  }

  /** What identifies a version of a file without reading it: its size and modification time. */
  private record FileStamp(Path file, long size, long modifiedMillis) {}

  private static List<FileStamp> stamps(ServerTlsConfig config) {
    List<FileStamp> stamps = new ArrayList<>();
    for (Path file :
        new Path[] {config.certChain(), config.key(), config.keyStore(), config.clientCa()}) {
      if (file != null) {
        try {
          stamps.add(
              new FileStamp(file, Files.size(file), Files.getLastModifiedTime(file).toMillis()));
        } catch (IOException e) {
          stamps.add(new FileStamp(file, -1, -1)); // missing for now: the load reports it
        }
      }
    }
    return List.copyOf(stamps);
  }
}
