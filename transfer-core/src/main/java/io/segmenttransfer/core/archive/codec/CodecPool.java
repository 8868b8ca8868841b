package io.segmenttransfer.core.archive.codec;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that compress and decompress the chunks of the parallel archive layouts: one per
 * core, shared by every archive being written or read in the process, so concurrent transfers share
 * the cores instead of each starting its own threads. Plain daemon threads, not Reactor's
 * non-blocking ones: the native codec calls they make block for milliseconds, which is allowed
 * there (BlockHound checks only non-blocking threads). Idle threads exit after a minute.
 */
public final class CodecPool {

  private static final class Holder {
    static final Executor SHARED = newPool(Runtime.getRuntime().availableProcessors());
  }

  private CodecPool() {}

  /** The process-wide pool, one thread per core, started on first use. */
  public static Executor shared() {
    return Holder.SHARED;
  }

  /**
   * A pool of {@code threads} daemon threads (for a command or benchmark that sets its own thread
   * count); threads exit when idle, so it needs no shutdown.
   */
  public static Executor newPool(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, was " + threads);
    }
    AtomicInteger count = new AtomicInteger();
    ThreadFactory factory =
        r -> {
          Thread t = new Thread(r, "segment-codec-" + count.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory);
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /**
   * Runs at most {@code limit} of the tasks given to it at once on {@code pool}, the rest queued in
   * order: one stream's share of a shared pool.
   */
  static Executor limited(Executor pool, int limit) {
    return new Limited(pool, limit);
  }

  private static final class Limited implements Executor {
    private final Executor pool;
    private final int limit;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private int running;

    Limited(Executor pool, int limit) {
      this.pool = pool;
      this.limit = limit;
    }

    @Override
    public void execute(Runnable task) {
      synchronized (this) {
        queue.add(task);
      }
      startMore();
    }

    private void startMore() {
      while (true) {
        Runnable next;
        synchronized (this) {
          if (running >= limit || queue.isEmpty()) {
            return;
          }
          next = queue.poll();
          running++;
        }
        pool.execute(
            () -> {
              try {
                next.run();
              } finally {
                synchronized (this) {
                  running--;
                }
                startMore();
              }
            });
      }
    }
  }
}
