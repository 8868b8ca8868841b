package io.segmenttransfer.core.store;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * Heap buffers a reader lends to the store it reads from, so a store that allocates a chunk per
 * read (the file store) can reuse the chunks its reader has finished with instead of allocating new
 * ones. A young JVM places every fresh chunk on heap memory it has never touched (a page fault and
 * the kernel's zeroing per 4 KiB), which profiled as 97 % of the extraction pipeline's allocated
 * bytes and about a third of its CPU during the process's first gigabyte of reads.
 *
 * <p>The contract, opt-in on both sides: a subscriber puts its {@code ReadBuffers} in its Reactor
 * context ({@link #lend()}); a store that finds it there <em>may</em> {@link #take} its chunk
 * buffers from it. The subscriber {@link #give}s a chunk back once nothing reads it any more
 * (consumed entirely, no reference kept), which is allowed because a store's emitted buffers belong
 * to the subscriber ({@link SegmentStore#read}). Subscribers that keep chunks after {@code onNext}
 * (the peer endpoint's Netty writes) lend nothing, and every store allocates for them as before. A
 * chunk that is never given back (a cancelled read, a failure) is simply left to the garbage
 * collector.
 *
 * <p>Only as many buffers are kept as were taken and not given back yet (the chunks of a source
 * that allocates its own are dropped), and only buffers that can be refilled whole: heap, writable,
 * and wrapping a whole array of this pool's size (never a view of a larger array that someone else
 * may still read). At most {@code keep} are held; thread-safe (stores fill buffers on their own
 * threads, readers give them back on theirs).
 */
public class ReadBuffers {

  private final int size;
  private final int keep;
  private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
  private final AtomicInteger held = new AtomicInteger();

  /** Buffers of this pool's size taken and not given back yet: what {@link #give} may keep. */
  private final AtomicInteger lentOut = new AtomicInteger();

  private final AtomicLong reused = new AtomicLong();
  private final AtomicLong allocated = new AtomicLong();

  /**
   * @param size the chunk size this pool serves; a store reading other sizes allocates as before
   * @param keep buffers held at most
   */
  public ReadBuffers(int size, int keep) {
    if (size <= 0 || keep < 0) {
      throw new IllegalArgumentException(
          "size must be positive and keep not negative, were " + size + " and " + keep);
    }
    this.size = size;
    this.keep = keep;
  }

  /** The pool a subscriber lent to the read it subscribed to, if any. */
  public static Optional<ReadBuffers> in(ContextView context) {
    return context.getOrEmpty(ReadBuffers.class);
  }

  /** The context entry that lends this pool to every store read upstream of where it is written. */
  public Context lend() {
    return Context.of(ReadBuffers.class, this);
  }

  public int size() {
    return size;
  }

  /**
   * A cleared buffer of {@code capacity} bytes: one given back when this pool serves that size and
   * holds one, otherwise a new heap buffer.
   */
  public ByteBuffer take(int capacity) {
    if (capacity == size) {
      lentOut.incrementAndGet();
      ByteBuffer buffer = free.poll();
      if (buffer != null) {
        held.decrementAndGet();
        reused.incrementAndGet();
        return buffer.clear();
      }
    }
    allocated.incrementAndGet();
    return ByteBuffer.allocate(capacity);
  }

  /**
   * Hands a chunk back for reuse. The caller promises that nothing reads or writes it any more; it
   * is dropped when it cannot be refilled whole or the pool is full.
   */
  public void give(ByteBuffer buffer) {
    if (buffer.capacity() != size
        || !buffer.hasArray()
        || buffer.isReadOnly()
        || buffer.array().length != size) {
      return;
    }
    // Keeps no more than were taken: a source that never takes (one that allocates its own chunks)
    // must not leave the pool holding its buffers for good.
    if (lentOut.getAndUpdate(n -> n > 0 ? n - 1 : 0) == 0) {
      return;
    }
    if (held.incrementAndGet() <= keep) {
      free.offer(buffer);
    } else {
      held.decrementAndGet();
    }
  }

  /** Buffers {@link #take} returned from the pool. */
  public long reused() {
    return reused.get();
  }

  /** Buffers {@link #take} had to allocate. */
  public long allocated() {
    return allocated.get();
  }
}
