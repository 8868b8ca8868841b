package io.segmenttransfer.s3;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * How many parts of one ranged read are fetched at once: {@link #initialWidth} at first (two parts
 * of the default 8 MiB), one more (up to the configured concurrency) each time the consumer is seen
 * starved, that is waiting with demand and no bytes for more than {@link #STARVED_SHARE} of each of
 * {@link StarvedWindows#TO_WIDEN} of the last {@link StarvedWindows#RECENT} windows of {@link
 * #WINDOW} deliveries ({@link StarvedWindows} says why not that many in a row).
 *
 * <p>Why: on a fast source (S3 on loopback or in the same rack) two parts keep any consumer fed
 * (the next part downloads while the current one is consumed) and more only add parts copied and
 * waiting in memory while the CPU is needed by the decoder; a real S3 connection gives 50-100 MB/s,
 * so a consumer that decodes faster needs several in flight. Starting narrow and widening on
 * starvation serves both without a setting per deployment. The width never shrinks within a read.
 *
 * <p>Parts start in order: part {@code i} starts once fewer than {@code width} parts before it are
 * still undelivered, so at most {@code width} parts hold buffers at once. The measurement is on the
 * consumer side of the in-order merge ({@link #meter}): the time between the consumer's demand (a
 * request while it had none, or the end of an {@code onNext} that left demand) and the next
 * delivery is time it waited; one {@link System#nanoTime} pair per delivered chunk.
 */
final class AdaptiveReadAhead {

  /**
   * Parts fetched at once before any starvation is seen, at least: the current one and the next.
   */
  static final int INITIAL_WIDTH = 2;

  /**
   * Bytes in flight from the start, at least: parts much smaller than a few MiB spend most of a
   * real S3 GET in its first-byte latency (tens of milliseconds), so a read of small parts starts
   * with as many as these bytes need (up to the configured concurrency).
   */
  static final long INITIAL_BYTES = 4L * 1024 * 1024;

  /** Deliveries per measurement window (256 KiB each for full chunks). */
  static final int WINDOW = 8;

  /** The consumer waited this share of a window or more: it was starved in that window. */
  static final double STARVED_SHARE = 0.125;

  /** Windows measured before parts may grow: as many as a widening takes. */
  static final int STARVED_WINDOWS = StarvedWindows.TO_WIDEN;

  private final PartPlan plan;
  private final long offset;
  private final int maxWidth;
  private final boolean canWiden;

  private final Object lock = new Object();
  private final List<Waiter> waiters = new ArrayList<>();
  private int width;
  private int delivered;

  /** The consumer's outstanding demand: raised by its requests, lowered by each delivery. */
  private final AtomicLong demand = new AtomicLong();

  private volatile long readySince;

  /** Windows measured so far (counted up to {@link #STARVED_WINDOWS}), and whether any starved. */
  private volatile int windows;

  private volatile boolean everStarved;

  // Only touched by the delivering thread (onNext is serialized).
  private long deliveredBytes;
  private boolean started;
  private long windowStart;
  private long waitedInWindow;
  private int deliveriesInWindow;

  private final StarvedWindows recentWindows = new StarvedWindows();

  /**
   * A part waiting for its turn. A class, not a record: it leaves {@link #waiters} by identity, and
   * a record's generated {@code equals} (value equality, not meant here) bootstraps its method
   * handles at its first call: in a fresh JVM, 30-50 ms on the read's critical path at the first
   * part that finished waiting (seen in class-load timelines of a cold {@code s3://} extract).
   */
  private static final class Waiter {
    final int part;
    final MonoSink<Void> sink;

    Waiter(int part, MonoSink<Void> sink) {
      this.part = part;
      this.sink = sink;
    }
  }

  /**
   * @param plan the read's parts, decided as they start
   * @param offset where the read starts (part 0's first byte)
   * @param partSize the configured part size
   * @param maxWidth the configured concurrency
   */
  AdaptiveReadAhead(PartPlan plan, long offset, long partSize, int maxWidth) {
    this.plan = plan;
    this.offset = offset;
    this.maxWidth = maxWidth;
    this.width = initialWidth(partSize, maxWidth);
    this.canWiden = width < maxWidth;
  }

  /** {@link #INITIAL_WIDTH} parts, or as many as {@link #INITIAL_BYTES} take, up to {@code max}. */
  static int initialWidth(long partSize, int maxWidth) {
    long forBytes = (INITIAL_BYTES + partSize - 1) / partSize;
    return (int) Math.min(maxWidth, Math.max(INITIAL_WIDTH, forBytes));
  }

  /**
   * Part {@code index} (1 or later) once it may start: decided then ({@link PartPlan#part}), larger
   * than the part before it while the source outpaces the consumer ({@link #growing}), and fetched
   * by {@code fetch}; empty when the object ends before it.
   */
  Flux<ByteBuffer> part(int index, Function<RangedGetReader.Part, Flux<ByteBuffer>> fetch) {
    return turn(index)
        .thenMany(
            Flux.defer(
                () -> {
                  RangedGetReader.Part part = plan.part(index, growing());
                  return part == null ? Flux.<ByteBuffer>empty() : fetch.apply(part);
                }));
  }

  /**
   * Whether the next part may be larger: only while the read could still widen if the consumer
   * starved (so a slow source is still answered with more parts in flight), after as many measured
   * windows as widening takes ({@link #STARVED_WINDOWS}: a first window alone may be a busy
   * machine's hiccup), and as long as no window has seen the consumer starved.
   */
  boolean growing() {
    return canWiden && windows >= STARVED_WINDOWS && !everStarved;
  }

  /**
   * Completes when part {@code part} (0 for the head) may start, at once for a part past the end
   * (it has nothing to fetch); cancelling it forgets the wait.
   */
  Mono<Void> turn(int part) {
    return Mono.create(
        sink -> {
          Waiter waiter = new Waiter(part, sink);
          synchronized (lock) {
            if (part >= delivered + width && !plan.beyondEnd(part)) {
              waiters.add(waiter);
              sink.onDispose(() -> forget(waiter));
              return;
            }
          }
          sink.success();
        });
  }

  /**
   * The in-order merge of the parts, measured: the consumer's waits widen the read, each part's
   * last delivered byte lets the next waiting part start.
   */
  Flux<ByteBuffer> meter(Flux<ByteBuffer> merged) {
    return merged.transform(
        Operators.<ByteBuffer, ByteBuffer>lift((scannable, actual) -> new Meter(actual)));
  }

  private void forget(Waiter waiter) {
    synchronized (lock) {
      waiters.remove(waiter);
    }
  }

  private void requested(long n) {
    long before = demand.getAndAccumulate(n, Operators::addCap);
    if (before == 0) {
      readySince = System.nanoTime();
    }
  }

  /** Before the chunk goes downstream: counts the wait for it and starts parts it frees. */
  private void arrived(int bytes, long now) {
    if (started) {
      waitedInWindow += Math.max(0, now - readySince);
    } else {
      started = true;
      windowStart = now;
    }
    deliveredBytes += bytes;
    int drained = plan.endingBy(offset + deliveredBytes);
    boolean widen = false;
    if (++deliveriesInWindow >= WINDOW) {
      long elapsed = now - windowStart;
      boolean starved = waitedInWindow > STARVED_SHARE * elapsed;
      if (starved) {
        everStarved = true;
      }
      if (windows < STARVED_WINDOWS) {
        windows = windows + 1;
      }
      widen = recentWindows.widenAfter(starved);
      windowStart = now;
      waitedInWindow = 0;
      deliveriesInWindow = 0;
    }
    release(drained, widen);
  }

  /** After the consumer's {@code onNext} returned: still wanting more means waiting from now. */
  private void handedOver(long now) {
    long remaining = demand.get() == Long.MAX_VALUE ? Long.MAX_VALUE : demand.decrementAndGet();
    if (remaining > 0) {
      readySince = now;
    }
  }

  private void release(int drained, boolean widen) {
    List<MonoSink<Void>> ready = null;
    synchronized (lock) {
      boolean changed = drained > delivered;
      delivered = Math.max(delivered, drained);
      if (widen && width < maxWidth) {
        width++;
        changed = true;
      }
      if (!changed || waiters.isEmpty()) {
        return;
      }
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter waiter = it.next();
        if (waiter.part < delivered + width || plan.beyondEnd(waiter.part)) {
          it.remove();
          if (ready == null) {
            ready = new ArrayList<>();
          }
          ready.add(waiter.sink);
        }
      }
    }
    if (ready != null) {
      // Outside the lock: a part's start subscribes its GET.
      ready.forEach(MonoSink::success);
    }
  }

  /** Passes the merge through, observing the consumer's demand and each delivery. */
  private final class Meter implements CoreSubscriber<ByteBuffer>, Subscription {
    private final CoreSubscriber<? super ByteBuffer> actual;
    private @Nullable Subscription upstream;

    Meter(CoreSubscriber<? super ByteBuffer> actual) {
      this.actual = actual;
    }

    @Override
    public Context currentContext() {
      return actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription s) {
      if (Operators.validate(upstream, s)) {
        upstream = s;
        actual.onSubscribe(this);
      }
    }

    @Override
    public void onNext(ByteBuffer buffer) {
      arrived(buffer.remaining(), System.nanoTime());
      actual.onNext(buffer);
      handedOver(System.nanoTime());
    }

    @Override
    public void onError(Throwable t) {
      actual.onError(t);
    }

    @Override
    public void onComplete() {
      actual.onComplete();
    }

    @Override
    public void request(long n) {
      if (Operators.validate(n)) {
        requested(n);
        upstream.request(n);
      }
    }

    @Override
    public void cancel() {
      upstream.cancel();
    }
  }
}
