package io.segmenttransfer.server.cli;

import io.segmenttransfer.http.tls.CertificateReloads;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP makes a long-running {@code controller} or {@code server} re-read its TLS certificates at
 * once ({@link CertificateReloads#reloadAll}), the way operators tell daemons that rotated files
 * are in place; the periodic file check goes on regardless.
 *
 * <p>Java has no public signal API: {@code sun.misc.Signal} (module {@code jdk.unsupported},
 * exported without flags) is what {@link StopSignal} uses too. The reload runs on one thread of its
 * own, never on the signal thread's caller or an event loop, and signals arriving during a reload
 * queue behind it.
 */
final class ReloadSignal {

  private static final Logger LOG = LoggerFactory.getLogger(ReloadSignal.class);
  static final String CAUSE = "SIGHUP";

  private static final ExecutorService RELOADER =
      Executors.newSingleThreadExecutor(
          task -> {
            Thread thread = new Thread(task, "certificate-reload");
            thread.setDaemon(true);
            return thread;
          });

  private ReloadSignal() {}

  /** Installs the SIGHUP handler; where the JVM reserves the signal, says so once and goes on. */
  static void install() {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> requestReload());
    } catch (IllegalArgumentException e) {
      LOG.warn(
          "SIGHUP cannot be handled here ({}); certificates reload on the file check only",
          e.getMessage());
    }
  }

  /** What the handler does: the reload, queued on the reload thread. */
  static void requestReload() {
    try {
      RELOADER.execute(ReloadSignal::reload);
    } catch (RejectedExecutionException e) {
      // Never shut down; kept for completeness of the contract.
      LOG.warn("SIGHUP: certificate reload not started: {}", e.toString());
    }
  }

  private static void reload() {
    try {
      if (CertificateReloads.reloadAll(CAUSE).isEmpty()) {
        LOG.info("SIGHUP: no HTTPS listener in this process, nothing to reload");
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "SIGHUP: certificate reload failed, the previous certificates stay in use: {}",
          e.toString());
    }
  }
}
