package io.segmenttransfer.core.stream;

import io.segmenttransfer.core.store.ReadBuffers;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.concurrent.Queues;
import reactor.util.context.Context;

/**
 * Gathers the small buffers a network client hands over (8-64 KiB from an HTTP decoder or the S3
 * SDK) into chunks of {@code chunkSize} bytes, in order, so everything downstream (the read-ahead
 * hand-off to the decoder, progress and idle-timeout bookkeeping) runs once per chunk instead of
 * once per network buffer.
 *
 * <p>Memory is bounded whatever the stream's length: upstream is asked for at most {@code prefetch}
 * items at a time, and only while no full chunk waits for downstream demand, so a slow consumer
 * holds back the source (down to TCP). Items are copied as they arrive; what waits for demand is
 * about one chunk plus the items already asked for: {@code chunkSize + (prefetch + 1) *} the
 * largest item. Emitted chunks are heap buffers the subscriber owns; the last one may be short.
 * They are taken from the {@link ReadBuffers} the subscriber lent in its context when it serves
 * {@code chunkSize} (the extraction pipeline does, and gives each chunk back once consumed), and
 * allocated otherwise: a fresh 256 KiB chunk per network read of a 120 MiB segment profiled at
 * about 40 ms of CPU per download (page faults and zeroing of heap memory the JVM had not touched,
 * then its collection).
 *
 * <p>Ownership of upstream items goes through an {@link Adapter}: {@link Adapter#hold} runs inside
 * {@code onNext} (a Netty {@code ByteBuf} is retained there, because its producer releases it when
 * {@code onNext} returns), and every held item is {@link Adapter#release released} exactly once:
 * after it was copied, or when the stream is cancelled or fails. An upstream error comes after the
 * bytes received before it (the last chunk short), as demand allows, so a caller resuming a read
 * from the bytes it was given loses nothing.
 */
public final class ChunkCoalescer {

  /** How the coalescer reads and owns one kind of upstream item. */
  public interface Adapter<T> {

    /** Takes ownership of an item, inside {@code onNext}; returns what to keep. */
    default T hold(T item) {
      return item;
    }

    /** Bytes left in the item. */
    int remaining(T item);

    /**
     * Copies {@code min(remaining(item), target.remaining())} bytes into {@code target}, advancing
     * both.
     */
    void copyTo(T item, ByteBuffer target);

    /**
     * The item itself as a chunk, when its bytes may be handed downstream without a copy; null when
     * they must be copied. Only asked when nothing is pending, for items of at least half a chunk.
     * After a non-null answer the item is not released.
     */
    default ByteBuffer detach(T item) {
      return null;
    }

    /** Gives up a held item. */
    default void release(T item) {}
  }

  /**
   * Heap or direct {@code ByteBuffer}s the subscriber may keep (as the SDK's body buffers): large
   * ones pass through as they are, small ones are copied.
   */
  public static final Adapter<ByteBuffer> BYTE_BUFFERS =
      new Adapter<>() {
        @Override
        public int remaining(ByteBuffer item) {
          return item.remaining();
        }

        @Override
        public void copyTo(ByteBuffer item, ByteBuffer target) {
          int n = Math.min(item.remaining(), target.remaining());
          target.put(target.position(), item, item.position(), n);
          target.position(target.position() + n);
          item.position(item.position() + n);
        }

        @Override
        public ByteBuffer detach(ByteBuffer item) {
          return item;
        }
      };

  /**
   * Upstream items requested ahead: enough to keep a socket read loop going between replenishments.
   */
  public static final int DEFAULT_PREFETCH = 32;

  private ChunkCoalescer() {}

  /** {@code ByteBuffer}s into chunks of {@code chunkSize} bytes, with {@link #DEFAULT_PREFETCH}. */
  public static Flux<ByteBuffer> coalesce(Publisher<ByteBuffer> source, int chunkSize) {
    return coalesce(source, chunkSize, DEFAULT_PREFETCH, BYTE_BUFFERS);
  }

  /**
   * Items of any kind into chunks of {@code chunkSize} bytes.
   *
   * @param prefetch upstream items requested and not yet copied, at most
   */
  public static <T> Flux<ByteBuffer> coalesce(
      Publisher<? extends T> source, int chunkSize, int prefetch, Adapter<T> adapter) {
    if (chunkSize < 1 || prefetch < 1) {
      throw new IllegalArgumentException(
          "chunkSize and prefetch must be positive, were " + chunkSize + " and " + prefetch);
    }
    return new Flux<>() {
      @Override
      public void subscribe(CoreSubscriber<? super ByteBuffer> actual) {
        source.subscribe(new CoalescingSubscriber<T>(actual, chunkSize, prefetch, adapter));
      }
    };
  }

  /**
   * The operator. Upstream signals are serial; downstream requests and cancels may come from any
   * thread. All state but the hand-over queue and the flags is touched only by the thread that
   * holds {@code wip} (the drain loop), which also makes sure items arriving after a cancel are
   * released.
   */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static final class CoalescingSubscriber<T> implements CoreSubscriber<T>, Subscription {
    private final CoreSubscriber<? super ByteBuffer> actual;
    private final int chunkSize;
    private final int prefetch;
    private final int limit;
    private final Adapter<T> adapter;
    private final @Nullable ReadBuffers lent;

    /** Held items, from {@code onNext} to the drain loop. */
    private final Queue<T> items;

    private final AtomicInteger wip = new AtomicInteger();
    private volatile long requested;

    private Subscription upstream;
    private volatile boolean done;
    private Throwable error;
    private volatile boolean cancelled;
    private volatile boolean overflowed;

    // Drain loop only.
    private final ArrayDeque<ByteBuffer> ready = new ArrayDeque<>();
    private ByteBuffer filling;
    private int outstanding;
    private boolean terminated;

    CoalescingSubscriber(
        CoreSubscriber<? super ByteBuffer> actual,
        int chunkSize,
        int prefetch,
        Adapter<T> adapter) {
      this.actual = actual;
      this.chunkSize = chunkSize;
      this.prefetch = prefetch;
      this.limit = Math.max(1, prefetch - (prefetch >> 2));
      this.adapter = adapter;
      this.lent = ReadBuffers.in(actual.currentContext()).orElse(null);
      this.items = Queues.<T>get(prefetch).get();
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
        drain();
      }
    }

    @Override
    public void onNext(T item) {
      if (done) {
        return;
      }
      T held = adapter.hold(item);
      if (!items.offer(held)) {
        // More than was requested and not yet taken: a broken source.
        adapter.release(held);
        overflowed = true;
      }
      drain();
    }

    @Override
    public void onError(Throwable t) {
      if (done) {
        Operators.onErrorDropped(t, currentContext());
        return;
      }
      error = t;
      done = true;
      drain();
    }

    @Override
    public void onComplete() {
      if (done) {
        return;
      }
      done = true;
      drain();
    }

    @Override
    public void request(long n) {
      if (Operators.validate(n)) {
        Operators.addCap(REQUESTED, this, n);
        drain();
      }
    }

    @Override
    public void cancel() {
      if (!cancelled) {
        cancelled = true;
        upstream.cancel();
        drain();
      }
    }

    private void drain() {
      if (wip.getAndIncrement() != 0) {
        return;
      }
      int missed = 1;
      while (true) {
        if (cancelled || terminated) {
          discard();
        } else {
          step();
        }
        missed = wip.addAndGet(-missed);
        if (missed == 0) {
          return;
        }
      }
    }

    /**
     * One pass of the drain loop: absorb what arrived, emit what is wanted, finish or ask for more.
     */
    private void step() {
      // Read before taking items: every item sent before the terminal signal is then in the queue.
      boolean upstreamDone = done;
      T item;
      while ((item = items.poll()) != null) {
        outstanding--;
        absorb(item);
      }
      if (outstanding < 0 || overflowed) {
        // More than was requested: a source ignoring backpressure would break the memory bound.
        terminated = true;
        upstream.cancel();
        discard();
        actual.onError(
            Operators.onOperatorError(
                new IllegalStateException(
                    "the source sent more than the " + prefetch + " items requested"),
                currentContext()));
        return;
      }
      if (upstreamDone && filling != null && filling.position() > 0) {
        ready.add(filling.flip());
        filling = null;
      }
      long wanted = requested;
      long emitted = 0;
      while (emitted != wanted && !ready.isEmpty()) {
        if (cancelled) {
          return;
        }
        actual.onNext(ready.poll());
        emitted++;
      }
      if (emitted != 0 && wanted != Long.MAX_VALUE) {
        REQUESTED.addAndGet(this, -emitted);
      }
      if (cancelled) {
        return;
      }
      if (upstreamDone) {
        if (ready.isEmpty()) {
          terminated = true;
          if (error != null) {
            actual.onError(error);
          } else {
            actual.onComplete();
          }
        }
      } else if (ready.isEmpty() && outstanding < limit) {
        // Ask for more only while no full chunk waits: a consumer without demand stops the source.
        int more = prefetch - outstanding;
        outstanding = prefetch;
        upstream.request(more);
      }
    }

    /** Copies an item into chunks (or passes it through) and releases it. */
    private void absorb(T item) {
      boolean released = false;
      try {
        int size = adapter.remaining(item);
        if (size >= chunkSize / 2 && (filling == null || filling.position() == 0)) {
          ByteBuffer whole = adapter.detach(item);
          if (whole != null) {
            released = true;
            ready.add(whole);
            return;
          }
        }
        while (adapter.remaining(item) > 0) {
          if (filling == null) {
            // A pool serving another size allocates, as it does for the file store.
            filling = lent != null ? lent.take(chunkSize) : ByteBuffer.allocate(chunkSize);
          }
          adapter.copyTo(item, filling);
          if (!filling.hasRemaining()) {
            ready.add(filling.flip());
            filling = null;
          }
        }
      } finally {
        if (!released) {
          adapter.release(item);
        }
      }
    }

    /** Releases every held item and drops the chunks: after a cancel, an error, or the end. */
    private void discard() {
      T item;
      while ((item = items.poll()) != null) {
        adapter.release(item);
      }
      ready.clear();
      filling = null;
    }

    @SuppressWarnings("rawtypes")
    private static final AtomicLongFieldUpdater<CoalescingSubscriber> REQUESTED =
        AtomicLongFieldUpdater.newUpdater(CoalescingSubscriber.class, "requested");
  }
}
