package io.segmenttransfer.server.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * What a command does on SIGINT (Ctrl-C) or SIGTERM while it runs, instead of the JVM's default of
 * exiting at once with whatever was started left behind. The exit code stays the shell's
 * convention: 128 + the signal number (130 for SIGINT, 143 for SIGTERM). {@link #close()} puts the
 * previous handlers back.
 */
final class Interruption implements AutoCloseable {

  private static final String[] SIGNALS = {"INT", "TERM"};

  private final List<Signal> signals = new ArrayList<>();
  private final List<SignalHandler> previous = new ArrayList<>();
  private final AtomicInteger received = new AtomicInteger();

  private Interruption(SignalHandler handler) {
    for (String name : SIGNALS) {
      try {
        Signal signal = new Signal(name);
        previous.add(Signal.handle(signal, handler));
        signals.add(signal);
      } catch (IllegalArgumentException e) {
        // Not available on this platform (or reserved by the JVM): the default applies.
      }
    }
  }

  /**
   * The first signal interrupts {@code worker}, which stops what it started and cleans up before
   * returning {@link #exitCode()}; a second signal ends the JVM at once (a person pressing Ctrl-C
   * again does not want to wait for the cleanup).
   */
  static Interruption interrupting(Thread worker) {
    AtomicInteger first = new AtomicInteger();
    Interruption[] self = new Interruption[1];
    self[0] =
        new Interruption(
            signal -> {
              int code = 128 + signal.getNumber();
              if (first.compareAndSet(0, code)) {
                self[0].received.set(code);
                worker.interrupt();
              } else {
                Runtime.getRuntime().halt(code);
              }
            });
    return self[0];
  }

  /**
   * Prints {@code message} on {@code err} and exits with 128 + the signal number: for a one-shot
   * command whose work on a data directory is crash-safe, where saying what state it is left in is
   * what matters.
   */
  static Interruption exiting(PrintWriter err, String message) {
    return new Interruption(
        signal -> {
          err.println("interrupted: " + message);
          err.flush();
          System.exit(128 + signal.getNumber());
        });
  }

  /** The data directory as an interrupted one-shot command leaves it, in words. */
  static String dataDirectoryLeft(java.nio.file.Path dataDir) {
    return "data directory "
        + dataDir.toAbsolutePath().normalize()
        + " is left as after a crash: a segment being swapped in is finished or rolled back by"
        + " the next 'recover --data-dir', load, bootstrap or server start on it";
  }

  /** Whether a signal arrived. */
  boolean happened() {
    return received.get() != 0;
  }

  /** 130 after SIGINT, 143 after SIGTERM; 0 when no signal arrived. */
  int exitCode() {
    return received.get();
  }

  @Override
  public void close() {
    for (int i = 0; i < signals.size(); i++) {
      try {
        Signal.handle(signals.get(i), previous.get(i));
      } catch (IllegalArgumentException e) {
        // Cannot happen for a signal we could handle; nothing to restore otherwise.
      }
    }
  }
}
