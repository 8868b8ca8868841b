package io.segmenttransfer.core.local;

import java.util.ArrayDeque;
import java.util.Deque;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * A counting semaphore whose waiters are Monos, not threads: {@link #acquire()} completes when a
 * permit is free, first come first served. A waiter cancelled while queued leaves the queue; one
 * cancelled just as it was granted hands the permit back. Used for Pinot's {@code
 * max.parallel.segment.downloads} and the per-table limit.
 */
final class AsyncPermits {

  /** A held permit; releasing it twice is harmless. */
  interface Permit {
    void release();
  }

  private enum State {
    WAITING,
    GRANTED,
    CANCELLED
  }

  private final class Waiter {
    final MonoSink<Permit> sink;
    State state = State.WAITING;
    Permit permit;

    Waiter(MonoSink<Permit> sink) {
      this.sink = sink;
    }
  }

  private final Deque<Waiter> waiters = new ArrayDeque<>();
  private int available;
  private int inUse;
  private int peakInUse;

  /**
   * @param capacity permits; 0 or less means unlimited
   */
  AsyncPermits(int capacity) {
    this.available = capacity <= 0 ? Integer.MAX_VALUE : capacity;
  }

  Mono<Permit> acquire() {
    return Mono.create(
        sink -> {
          Waiter waiter = new Waiter(sink);
          sink.onCancel(() -> cancel(waiter));
          synchronized (this) {
            waiters.add(waiter);
          }
          grantWaiters();
        });
  }

  private void cancel(Waiter waiter) {
    Permit toReturn = null;
    synchronized (this) {
      if (waiter.state == State.WAITING) {
        waiters.remove(waiter);
      } else if (waiter.state == State.GRANTED) {
        toReturn = waiter.permit;
      }
      waiter.state = State.CANCELLED;
    }
    if (toReturn != null) {
      toReturn.release();
    }
  }

  private void grantWaiters() {
    while (true) {
      Waiter next;
      synchronized (this) {
        if (available == 0 || waiters.isEmpty()) {
          return;
        }
        next = waiters.poll();
        next.permit = take();
        next.state = State.GRANTED;
      }
      // If the waiter was cancelled meanwhile, Reactor drops the value and cancel() returns the
      // permit.
      next.sink.success(next.permit);
    }
  }

  private Permit take() {
    available--;
    inUse++;
    peakInUse = Math.max(peakInUse, inUse);
    return new Permit() {
      private boolean released;

      @Override
      public void release() {
        synchronized (AsyncPermits.this) {
          if (released) {
            return;
          }
          released = true;
          available++;
          inUse--;
        }
        grantWaiters();
      }
    };
  }

  synchronized int inUse() {
    return inUse;
  }

  /** The most permits ever held at once: what tests measure limits with. */
  synchronized int peakInUse() {
    return peakInUse;
  }

  synchronized int waiting() {
    return waiters.size();
  }
}
