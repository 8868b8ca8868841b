package io.segmenttransfer.http;

import java.time.Duration;
import reactor.netty.http.HttpResources;
import reactor.util.Loggers;

/**
 * Stops reactor-netty's shared event loops, with the pooled connections and DNS resolver they
 * carry, in a JVM about to exit.
 *
 * <p>Why: HotSpot's exit waits for Java threads that are inside native code to come out, up to 300
 * ms for ordinary threads ({@code VM_Exit::wait_for_threads_in_native_to_block}), and an idle event
 * loop of the native transport sits in {@code epoll_wait}. Every command-line transfer from HTTP,
 * S3 or a peer paid those 300 ms after its work was done (measured on loopback: 0.30-0.36 s between
 * {@code System.exit} and the end of the process, against 0.03 s for a transfer from a file; 0.05 s
 * once the loops were stopped first).
 */
public final class SharedEventLoops {

  /** Loops finish what they hold within milliseconds once nothing is left to do. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(2);

  private SharedEventLoops() {}

  /**
   * Stops the shared loops if this JVM ever started them; a no-op (loading nothing of
   * reactor-netty) when it did not, as in a transfer from a local file. Call it once the command's
   * work is over, from a thread that is not an event loop.
   */
  public static void stopBeforeExit() {
    ClassLoader loader = SharedEventLoops.class.getClassLoader();
    if (loader == null || loader.getDefinedPackage("reactor.netty.resources") == null) {
      return;
    }
    try {
      HttpResources.disposeLoopsAndConnectionsLater(Duration.ZERO, STOP_TIMEOUT)
          .block(STOP_TIMEOUT.plusSeconds(1));
    } catch (RuntimeException e) {
      // The pool and the loops stop side by side: when a loop is gone first, the pool's close of
      // a connection on it is refused, thrown here rather than signalled. The process is exiting
      // and its sockets close with it; a stack trace after the command's own output would only
      // mislead (seen after a server command's one-line error).
      Loggers.getLogger(SharedEventLoops.class)
          .debug("stopping the shared event loops before exit", e);
    }
  }
}
