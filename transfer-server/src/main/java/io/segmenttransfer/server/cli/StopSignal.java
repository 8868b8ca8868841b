package io.segmenttransfer.server.cli;

import java.util.concurrent.CountDownLatch;

/**
 * Waits for SIGTERM or SIGINT so a long-running command can stop in order and exit 0, instead of
 * the JVM exiting with 143/130 from the signal thread. Any other way the JVM ends still runs {@code
 * onExit} through a shutdown hook.
 */
final class StopSignal {

  private final CountDownLatch stop = new CountDownLatch(1);
  private final Thread hook;

  StopSignal(Runnable onExit) {
    for (String signal : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> stop.countDown());
      } catch (IllegalArgumentException e) {
        // The signal is not available here (or reserved by the JVM): the shutdown hook covers it.
      }
    }
    hook = new Thread(onExit, "shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Blocks the command's thread until a stop signal arrives, then lets the caller close in order.
   */
  void await() throws InterruptedException {
    stop.await();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook closes again, which is harmless.
    }
  }
}
