package io.segmenttransfer.peer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Makes Netty leak reports test failures. A leak detector factory that records every report is
 * installed when the JUnit launcher session opens (registered in META-INF/services), before any
 * test loads Netty's buffer classes, whose detectors are created once per class. As an extension,
 * it fails a test class whose run leaked: after the class it collects garbage and allocates, which
 * is when Netty reports leaked buffers.
 */
public final class NettyLeaks implements LauncherSessionListener, BeforeAllCallback, AfterAllCallback {

  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
  private static volatile boolean installed;

  static {
    install();
  }

  /** Installs the recording factory; idempotent. */
  public static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
      @Override
      public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
        return new ResourceLeakDetector<T>(resource, samplingInterval) {
          @Override
          protected boolean needReport() {
            return true;
          }

          @Override
          protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.add("LEAK: " + resourceType + records);
            super.reportTracedLeak(resourceType, records);
          }

          @Override
          protected void reportUntracedLeak(String resourceType) {
            LEAKS.add("LEAK: " + resourceType + " (untraced)");
            super.reportUntracedLeak(resourceType);
          }
        };
      }
    });
  }

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    install();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    install();
    collect();
    LEAKS.clear();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    List<String> leaks = collect();
    if (!leaks.isEmpty()) {
      throw new AssertionError(leaks.size() + " ByteBuf leak(s) in " + context.getDisplayName() + ":\n"
          + String.join("\n", leaks));
    }
  }

  /** Provokes leak reports (GC, then allocations, which poll the detectors' queues) and returns them. */
  static List<String> collect() {
    for (int round = 0; round < 3; round++) {
      System.gc();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      for (ByteBufAllocator allocator : new ByteBufAllocator[] {
          PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT, ByteBufAllocator.DEFAULT}) {
        for (int i = 0; i < 8; i++) {
          ByteBuf heap = allocator.heapBuffer(16);
          ByteBuf direct = allocator.directBuffer(16);
          heap.release();
          direct.release();
        }
      }
    }
    List<String> leaks = List.copyOf(LEAKS);
    LEAKS.clear();
    return leaks;
  }
}
