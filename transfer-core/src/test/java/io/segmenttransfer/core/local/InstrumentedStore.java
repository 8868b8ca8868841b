package io.segmenttransfer.core.local;

import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.testing.ForwardingSegmentStore;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * A real store with counters around it: how many reads ran, how many at once at most, an optional
 * pause per chunk, and a gate that holds every read before its first byte until released, so that
 * tests about overlapping or queued downloads do not depend on how fast the machine runs them.
 */
final class InstrumentedStore extends ForwardingSegmentStore {

  private final AtomicInteger reads = new AtomicInteger();
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger peakActive = new AtomicInteger();
  private volatile Duration chunkDelay = Duration.ZERO;
  private volatile Sinks.Empty<Void> gate;

  InstrumentedStore(SegmentStore delegate) {
    super(delegate);
  }

  void slowDown(Duration perChunk) {
    this.chunkDelay = perChunk;
  }

  /** Reads started from now on wait (counted as active) until {@link #release}. */
  void hold() {
    gate = Sinks.empty();
  }

  /** Lets the held reads, and every later one, go on. */
  void release() {
    Sinks.Empty<Void> held = gate;
    gate = null;
    if (held != null) {
      held.tryEmitEmpty();
    }
  }

  /** Reads running (or held) now. */
  int active() {
    return active.get();
  }

  int reads() {
    return reads.get();
  }

  int peakActive() {
    return peakActive.get();
  }

  @Override
  public Flux<ByteBuffer> read(URI uri, long offset) {
    return Flux.defer(
        () -> {
          reads.incrementAndGet();
          peakActive.accumulateAndGet(active.incrementAndGet(), Math::max);
          Flux<ByteBuffer> bytes = delegate.read(uri, offset);
          if (!chunkDelay.isZero()) {
            bytes = bytes.delayElements(chunkDelay);
          }
          Sinks.Empty<Void> held = gate;
          if (held != null) {
            bytes = held.asMono().thenMany(bytes);
          }
          return bytes.doFinally(signal -> active.decrementAndGet());
        });
  }
}
