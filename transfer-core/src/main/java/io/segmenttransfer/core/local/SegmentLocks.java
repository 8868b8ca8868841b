package io.segmenttransfer.core.local;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Per-key read/write locks whose waiters are Monos: changes to a segment (add, replace, reload,
 * remove) are exclusive and run one after another; reads (serving the segment to peers) share the
 * lock with each other but never overlap a change. First come, first served, so a stream of readers
 * cannot starve a reload. Waiting blocks no thread; a waiter cancelled while queued leaves.
 */
final class SegmentLocks<K> {

  private enum State {
    WAITING,
    GRANTED,
    CANCELLED
  }

  private final class Waiter {
    final K key;
    final boolean exclusive;
    final MonoSink<Runnable> sink;
    State state = State.WAITING;
    Runnable release;

    Waiter(K key, boolean exclusive, MonoSink<Runnable> sink) {
      this.key = key;
      this.exclusive = exclusive;
      this.sink = sink;
    }
  }

  /** Holders and the queue of one key; dropped from the map when idle. */
  private final class Entry {
    int readers;
    boolean writer;
    final Deque<Waiter> queue = new ArrayDeque<>();
  }

  private final Map<K, Entry> entries = new HashMap<>();

  /**
   * Runs {@code work} holding the key's lock; released when the work terminates or is cancelled.
   */
  <T> Flux<T> withLock(K key, boolean exclusive, Supplier<? extends Publisher<T>> work) {
    return withLock(key, exclusive, Mono.empty(), work);
  }

  /**
   * Runs {@code work} holding the key's lock; released once the work terminated or was cancelled
   * and then {@code settled} completed (a cancel returns at once; the lock stays held until then).
   */
  <T> Flux<T> withLock(
      K key, boolean exclusive, Mono<Void> settled, Supplier<? extends Publisher<T>> work) {
    return Flux.usingWhen(
        acquire(key, exclusive),
        release -> Flux.from(work.get()),
        release -> settled.then(Mono.fromRunnable(release)),
        (release, error) -> settled.then(Mono.fromRunnable(release)),
        release -> settled.then(Mono.fromRunnable(release)));
  }

  private Mono<Runnable> acquire(K key, boolean exclusive) {
    return Mono.create(
        sink -> {
          Waiter waiter = new Waiter(key, exclusive, sink);
          sink.onCancel(() -> cancel(waiter));
          synchronized (this) {
            entries.computeIfAbsent(key, k -> new Entry()).queue.add(waiter);
          }
          grant(key);
        });
  }

  private void cancel(Waiter waiter) {
    Runnable toRelease = null;
    synchronized (this) {
      if (waiter.state == State.WAITING) {
        Entry entry = entries.get(waiter.key);
        entry.queue.remove(waiter);
        dropIfIdle(waiter.key, entry);
      } else if (waiter.state == State.GRANTED) {
        toRelease = waiter.release;
      }
      waiter.state = State.CANCELLED;
    }
    if (toRelease != null) {
      toRelease.run();
    }
    grant(waiter.key);
  }

  private void grant(K key) {
    while (true) {
      Waiter next;
      synchronized (this) {
        Entry entry = entries.get(key);
        if (entry == null || entry.queue.isEmpty()) {
          return;
        }
        Waiter head = entry.queue.peek();
        boolean free = head.exclusive ? !entry.writer && entry.readers == 0 : !entry.writer;
        if (!free) {
          return;
        }
        next = entry.queue.poll();
        if (next.exclusive) {
          entry.writer = true;
        } else {
          entry.readers++;
        }
        next.state = State.GRANTED;
        next.release = releaser(key, next.exclusive);
      }
      next.sink.success(next.release);
    }
  }

  private Runnable releaser(K key, boolean exclusive) {
    boolean[] released = {false};
    return () -> {
      synchronized (this) {
        if (released[0]) {
          return;
        }
        released[0] = true;
        Entry entry = entries.get(key);
        if (exclusive) {
          entry.writer = false;
        } else {
          entry.readers--;
        }
        dropIfIdle(key, entry);
      }
      grant(key);
    };
  }

  private void dropIfIdle(K key, Entry entry) {
    if (!entry.writer && entry.readers == 0 && entry.queue.isEmpty()) {
      entries.remove(key);
    }
  }

  /** Whether an exclusive holder or waiter exists for {@code key}: a change running or queued. */
  synchronized boolean changing(K key) {
    Entry entry = entries.get(key);
    return entry != null && (entry.writer || entry.queue.stream().anyMatch(w -> w.exclusive));
  }

  /** Waiters queued across all keys. */
  synchronized int waiting() {
    return entries.values().stream().mapToInt(e -> e.queue.size()).sum();
  }

  /** Keys with holders or waiters: empty when every operation has finished. */
  synchronized int activeKeys() {
    return entries.size();
  }
}
