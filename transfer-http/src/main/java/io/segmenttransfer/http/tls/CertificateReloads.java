package io.segmenttransfer.http.tls;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * The HTTPS listeners of this process that are bound now, so that an operator's signal (SIGHUP to
 * {@code controller} or {@code server}) can make them all re-read their certificates at once,
 * instead of waiting for the next file check ({@link ServerTlsConfig#reloadInterval()}).
 *
 * <p>A listener joins when bound and leaves when unbound ({@link ServerTls#applyTo}); a process
 * holds one or two, so a copy-on-write set is the simplest safe one.
 */
public final class CertificateReloads {

  private static final Set<ServerTls> BOUND = new CopyOnWriteArraySet<>();

  private CertificateReloads() {}

  /**
   * Re-reads the certificate files of every bound HTTPS listener now (blocking file reads: call it
   * off the event loops), each logging one line. A listener whose files do not load keeps serving
   * its previous certificate.
   *
   * @param cause why, for the log lines ("SIGHUP")
   * @return one outcome per listener; empty when none serves HTTPS
   */
  public static List<Outcome> reloadAll(String cause) {
    return BOUND.stream().map(tls -> new Outcome(tls.config(), tls.reloadNow(cause))).toList();
  }

  /** What one listener did: whether its new files are in use. */
  public record Outcome(ServerTlsConfig listener, boolean reloaded) {}

  static void bound(ServerTls tls) {
    BOUND.add(tls);
  }

  static void unbound(ServerTls tls) {
    BOUND.remove(tls);
  }
}
