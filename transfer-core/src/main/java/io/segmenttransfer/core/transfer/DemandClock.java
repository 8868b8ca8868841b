package io.segmenttransfer.core.transfer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How long a source has been silent while bytes were wanted: the clock runs only while the pipeline
 * has outstanding demand, and restarts with every chunk and whenever demand reappears. A pipeline
 * that stops asking (a slow disk) never makes a live source look dead. Lock-free: it is touched
 * from event loops and timer threads.
 */
final class DemandClock {

  private final AtomicLong demand = new AtomicLong();
  private volatile long since = System.nanoTime();
  private volatile boolean heard;

  void requested(long n) {
    long before = demand.getAndAccumulate(n, (d, add) -> d + add < 0 ? Long.MAX_VALUE : d + add);
    if (before == 0) {
      since = System.nanoTime();
    }
  }

  void received() {
    demand.getAndUpdate(d -> d == Long.MAX_VALUE || d == 0 ? d : d - 1);
    since = System.nanoTime();
    heard = true;
  }

  /** Whether the source has sent anything yet (the first-byte allowance applies until it has). */
  boolean heard() {
    return heard;
  }

  /** Nanoseconds of silence with demand outstanding; 0 when nothing is wanted. */
  long silentNanos() {
    return demand.get() > 0 ? System.nanoTime() - since : 0;
  }
}
