package io.segmenttransfer.core.transfer;

/**
 * How long a source has been silent while bytes were wanted: the clock runs only while the
 * pipeline has outstanding demand, and restarts with every chunk and whenever demand reappears.
 * A pipeline that stops asking (a slow disk) never makes a live source look dead.
 */
final class DemandClock {

  private long demand;
  private long since = System.nanoTime();

  synchronized void requested(long n) {
    if (demand == 0) {
      since = System.nanoTime();
    }
    demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
  }

  synchronized void received() {
    if (demand != Long.MAX_VALUE && demand > 0) {
      demand--;
    }
    since = System.nanoTime();
  }

  /** Nanoseconds of silence with demand outstanding; 0 when nothing is wanted. */
  synchronized long silentNanos() {
    return demand > 0 ? System.nanoTime() - since : 0;
  }
}
