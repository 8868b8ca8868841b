package io.segmenttransfer.core.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records Netty's leak reports so that tests can fail on them. {@link TestGuards} installs the
 * recording factory when the JUnit launcher session opens, before any test loads Netty's buffer
 * classes (their detectors are created once per class), and {@link TestGuardsExtension} fails a
 * test class whose run leaked. Paranoid level: every buffer is tracked, every leak is reported with
 * its access records.
 */
public final class NettyLeaks {

  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
  private static volatile boolean installed;
  private static volatile boolean tracking;

  private NettyLeaks() {}

  /** Installs the recording factory; idempotent. */
  public static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(
        new ResourceLeakDetectorFactory() {
          @Override
          public <T> ResourceLeakDetector<T> newResourceLeakDetector(
              Class<T> resource, int samplingInterval, long maxActive) {
            tracking = true;
            return new ResourceLeakDetector<T>(resource, samplingInterval) {
              @Override
              protected boolean needReport() {
                return true;
              }

              @Override
              protected void reportTracedLeak(String resourceType, String records) {
                // Not logged as well: the failure carries the records.
                LEAKS.add("LEAK: " + resourceType + records);
              }

              @Override
              protected void reportUntracedLeak(String resourceType) {
                LEAKS.add("LEAK: " + resourceType + " (untraced)");
              }
            };
          }
        });
  }

  /**
   * Provokes leak reports (garbage collection, then allocations, which poll the detectors' queues)
   * and returns the reports recorded since the last call, each with its access records. Costs a few
   * garbage collections: call it per test class, not per test. Returns nothing at once while no
   * Netty resource was ever tracked in this JVM.
   */
  public static List<String> collect() {
    if (!installed || !tracking) {
      return List.of();
    }
    for (int round = 0; round < 3; round++) {
      System.gc();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      for (ByteBufAllocator allocator :
          new ByteBufAllocator[] {
            PooledByteBufAllocator.DEFAULT,
            UnpooledByteBufAllocator.DEFAULT,
            ByteBufAllocator.DEFAULT
          }) {
        for (int i = 0; i < 8; i++) {
          ByteBuf heap = allocator.heapBuffer(16);
          ByteBuf direct = allocator.directBuffer(16);
          heap.release();
          direct.release();
        }
      }
    }
    List<String> leaks = List.copyOf(LEAKS);
    LEAKS.removeAll(leaks);
    return leaks;
  }
}
