package io.segmenttransfer.core.local;

import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.testing.ForwardingSegmentStore;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;

/**
 * A real store with counters around it: how many reads ran, how many at once at most, and an
 * optional pause per chunk so that concurrent downloads truly overlap in limit tests.
 */
final class InstrumentedStore extends ForwardingSegmentStore {

  private final AtomicInteger reads = new AtomicInteger();
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger peakActive = new AtomicInteger();
  private volatile Duration chunkDelay = Duration.ZERO;

  InstrumentedStore(SegmentStore delegate) {
    super(delegate);
  }

  void slowDown(Duration perChunk) {
    this.chunkDelay = perChunk;
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
          return bytes.doFinally(signal -> active.decrementAndGet());
        });
  }
}
