package io.segmenttransfer.benchmarks;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Watches this JVM's memory while something runs: heap used and direct buffers sampled every few
 * milliseconds on a daemon thread, heap left after each garbage collection (the live set plus
 * whatever the collector chose to keep; what a heap bound is about), and resident set size.
 */
public final class MemorySampler implements AutoCloseable {

  /** Peaks seen, in bytes. */
  public record Peaks(
      long heapUsed,
      long heapAfterGc,
      long direct,
      long heapPlusDirect,
      long rss,
      long nettyDirect,
      int gcs,
      int samples) {}

  private final BufferPoolMXBean directPool =
      ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
          .filter(pool -> pool.getName().equals("direct"))
          .findFirst()
          .orElseThrow();
  private final AtomicLong heapUsed = new AtomicLong();
  private final AtomicLong heapAfterGc = new AtomicLong();
  private final AtomicLong direct = new AtomicLong();
  private final AtomicLong heapPlusDirect = new AtomicLong();
  private final AtomicLong rss = new AtomicLong();
  private final AtomicLong nettyDirect = new AtomicLong();
  private final AtomicLong gcs = new AtomicLong();
  private final AtomicLong samples = new AtomicLong();
  private final List<Runnable> unsubscribe = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  /** Starts sampling every {@code intervalMillis}. */
  public MemorySampler(long intervalMillis) {
    NotificationListener onGc =
        (notification, handback) -> {
          if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
              notification.getType())) {
            GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
            long after = 0;
            for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
              MemoryUsage usage = info.getGcInfo().getMemoryUsageAfterGc().get(pool.getName());
              if (usage != null && pool.getType() == java.lang.management.MemoryType.HEAP) {
                after += usage.getUsed();
              }
            }
            heapAfterGc.accumulateAndGet(after, Math::max);
            gcs.incrementAndGet();
          }
        };
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      NotificationEmitter emitter = (NotificationEmitter) gc;
      emitter.addNotificationListener(onGc, null, null);
      unsubscribe.add(
          () -> {
            try {
              emitter.removeNotificationListener(onGc);
            } catch (javax.management.ListenerNotFoundException ignored) {
              // already gone
            }
          });
    }
    thread =
        new Thread(
            () -> {
              while (running) {
                sample();
                try {
                  Thread.sleep(intervalMillis);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "memory-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  private void sample() {
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long d = directPool.getMemoryUsed();
    heapUsed.accumulateAndGet(heap, Math::max);
    direct.accumulateAndGet(d, Math::max);
    heapPlusDirect.accumulateAndGet(heap + d, Math::max);
    rss.accumulateAndGet(residentSetBytes(), Math::max);
    nettyDirect.accumulateAndGet(NettyDirectMemory.used(), Math::max);
    samples.incrementAndGet();
  }

  /** Current resident set size from {@code /proc/self/status}, or 0 where there is none. */
  public static long residentSetBytes() {
    return procStatusKib("VmRSS:") * 1024;
  }

  static long procStatusKib(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.substring(key.length()).replace("kB", "").trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return 0;
  }

  public Peaks peaks() {
    return new Peaks(
        heapUsed.get(),
        heapAfterGc.get(),
        direct.get(),
        heapPlusDirect.get(),
        rss.get(),
        nettyDirect.get(),
        (int) gcs.get(),
        (int) samples.get());
  }

  /** Stops sampling after a last sample; returns the peaks. */
  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sample();
    unsubscribe.forEach(Runnable::run);
  }
}
