package io.segmenttransfer.core.transfer;

import io.segmenttransfer.core.error.SourceUnavailableException;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.testing.ForwardingSegmentStore;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A real store with faults injected on the way out: the first {@code failingReads} reads break with
 * a connection-reset-like error after {@code failAfterBytes}. Records the offset of every read.
 */
class FaultyStore extends ForwardingSegmentStore {

  private final List<Long> readOffsets = new CopyOnWriteArrayList<>();
  private final AtomicInteger failuresLeft;
  private final long failAfterBytes;
  private final Duration retryAfter;

  FaultyStore(SegmentStore delegate, int failingReads, long failAfterBytes, Duration retryAfter) {
    super(delegate);
    this.failuresLeft = new AtomicInteger(failingReads);
    this.failAfterBytes = failAfterBytes;
    this.retryAfter = retryAfter;
  }

  List<Long> readOffsets() {
    return readOffsets;
  }

  @Override
  public Flux<ByteBuffer> read(URI uri, long offset) {
    return Flux.defer(
        () -> {
          readOffsets.add(offset);
          Flux<ByteBuffer> bytes = delegate.read(uri, offset);
          if (failuresLeft.getAndDecrement() <= 0) {
            return bytes;
          }
          AtomicLong sent = new AtomicLong();
          return bytes.concatMap(
              chunk -> {
                long before = sent.getAndAdd(chunk.remaining());
                if (before + chunk.remaining() <= failAfterBytes) {
                  return Mono.just(chunk);
                }
                int keep = (int) Math.max(0, failAfterBytes - before);
                Flux<ByteBuffer> head =
                    keep == 0 ? Flux.empty() : Flux.just(chunk.slice(chunk.position(), keep));
                return head.concatWith(
                    Flux.error(
                        new SourceUnavailableException(
                            uri, "connection reset by test", null, retryAfter)));
              });
        });
  }
}
