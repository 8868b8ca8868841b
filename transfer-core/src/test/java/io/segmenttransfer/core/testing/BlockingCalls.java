package io.segmenttransfer.core.testing;

import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadPoolExecutor;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * BlockHound for the whole test JVM, installed once by {@link TestGuards} when the JUnit launcher
 * session opens, before any scheduler or event loop thread exists. A blocking call on a
 * non-blocking thread (Reactor's parallel scheduler, Netty event loops) throws where it happens and
 * is also recorded, so that {@link TestGuardsExtension} fails the test even when the error was
 * swallowed by the code that provoked it. The integrations on the class path are applied, Reactor's
 * and Netty's and {@link LibraryBlockingAllowances}, the one list of what libraries may block.
 */
public final class BlockingCalls {

  private static final List<String> VIOLATIONS = new CopyOnWriteArrayList<>();
  private static boolean installed;

  private BlockingCalls() {}

  /** Installs BlockHound; idempotent. */
  public static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    BlockHound.Builder builder = BlockHound.builder();
    // A bare builder knows no threads: add the integrations on the class path as install() would.
    ServiceLoader.load(BlockHoundIntegration.class).stream()
        .map(ServiceLoader.Provider::get)
        .sorted()
        .forEach(builder::with);
    builder
        // An event loop that hands the last disk work to a scheduler can find it disposed before
        // it has returned from ScheduledThreadPoolExecutor.delayedExecute: the worker took the
        // task and ran it at once, and what its completion set off disposed the scheduler (a
        // server's shutdown: the drain's recover() is the last disk work, the runtime is closed
        // right after). Seeing the executor stopped, the JDK then calls remove(task), which finds
        // nothing (the task ran) and calls tryTerminate, whose lock the executor's worker, exiting
        // on shutdownNow, holds for microseconds: a lock hand-off inside the scheduler, as the
        // queue locks Reactor's own integration allows, not I/O, and no task is lost.
        .allowBlockingCallsInside(ThreadPoolExecutor.class.getName(), "tryTerminate")
        .blockingMethodCallback(
            method -> {
              VIOLATIONS.add(
                  method + " on " + Thread.currentThread().getName() + callers(new Throwable()));
              throw new BlockingOperationError(method);
            })
        .install();
  }

  /**
   * Where the blocking call came from, for the failure message: the code that provoked it is often
   * far from the test, and the error BlockHound throws there may have been swallowed.
   */
  private static String callers(Throwable here) {
    StringBuilder frames = new StringBuilder();
    int shown = 0;
    for (StackTraceElement frame : here.getStackTrace()) {
      String name = frame.getClassName();
      if (name.startsWith("reactor.blockhound") || name.startsWith(BlockingCalls.class.getName())) {
        continue;
      }
      frames.append("\n\tat ").append(frame);
      if (++shown == 40) {
        break;
      }
    }
    return frames.toString();
  }

  /**
   * Blocking calls recorded since the last call, and forgets them: a test that provokes one on
   * purpose (to prove BlockHound is armed) drains it so that it does not fail the test.
   */
  public static List<String> drain() {
    List<String> seen = List.copyOf(VIOLATIONS);
    VIOLATIONS.removeAll(seen);
    return seen;
  }
}
