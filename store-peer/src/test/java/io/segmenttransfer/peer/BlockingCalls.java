package io.segmenttransfer.peer;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;
import java.util.ServiceLoader;

/**
 * BlockHound for the whole test JVM, installed once: a blocking call on a non-blocking thread
 * (Reactor's parallel scheduler, Netty event loops) throws where it happens and is also recorded,
 * so a test fails even when the error is swallowed by the code that provoked it.
 */
final class BlockingCalls {

  private static final List<String> VIOLATIONS = new CopyOnWriteArrayList<>();
  private static boolean installed;

  private BlockingCalls() {}

  static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    BlockHound.Builder builder = BlockHound.builder();
    // A bare builder knows no threads: add Reactor's and Netty's integrations as install() would.
    ServiceLoader.load(BlockHoundIntegration.class).stream().map(ServiceLoader.Provider::get).sorted()
        .forEach(builder::with);
    builder
        // The test logger prints to stderr; logging is not what is under test.
        .allowBlockingCallsInside("org.slf4j.simple.SimpleLogger", "write")
        // Netty 4.2's adaptive allocator briefly takes a StampedLock when it grows or frees a
        // magazine; its own BlockHound integration does not list these paths yet.
        .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines")
        .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free")
        .blockingMethodCallback(method -> {
          VIOLATIONS.add(method + " on " + Thread.currentThread().getName());
          throw new BlockingOperationError(method);
        })
        .install();
  }

  /** Violations recorded since the last call. */
  static List<String> drain() {
    List<String> seen = List.copyOf(VIOLATIONS);
    VIOLATIONS.clear();
    return seen;
  }
}
