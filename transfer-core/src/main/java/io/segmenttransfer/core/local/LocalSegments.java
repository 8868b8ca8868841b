package io.segmenttransfer.core.local;

import io.segmenttransfer.core.segment.SegmentId;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

/** Read access to the segments a server holds, for serving them to peers. */
public interface LocalSegments {

  /**
   * Runs {@code reader} over the segment while holding the segment's lock, so that no replace or
   * reload swaps its files mid-read: the lock is released when the returned Flux terminates or is
   * cancelled. Completes empty when the segment is not held here. Waiting for the lock blocks no
   * thread.
   */
  <T> Flux<T> withSegment(SegmentId segment, Function<LocalSegment, Publisher<T>> reader);
}
