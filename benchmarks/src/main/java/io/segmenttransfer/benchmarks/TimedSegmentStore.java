package io.segmenttransfer.benchmarks;

import io.segmenttransfer.core.store.ObjectInfo;
import io.segmenttransfer.core.store.SegmentStore;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A deep store that records when each read and write of an object starts and ends, passing
 * everything else through. Given to an embedded controller, it shows a sync run's steps per segment
 * from the outside, without any hook in the controller: the read of the old archive is the
 * download, the write of the new one is the one-pass archive and upload, and what lies between is
 * the processing.
 */
final class TimedSegmentStore implements SegmentStore {

  /**
   * One read or write.
   *
   * @param write true for a write, false for a read
   * @param startMs epoch millis at subscription
   * @param endMs epoch millis at completion, error or cancel, before it reaches the caller
   * @param bytes bytes that passed
   * @param completed whether it completed (not failed or cancelled)
   */
  record Window(boolean write, URI uri, long startMs, long endMs, long bytes, boolean completed) {}

  private final SegmentStore delegate;
  private final ConcurrentLinkedQueue<Window> windows = new ConcurrentLinkedQueue<>();

  TimedSegmentStore(SegmentStore delegate) {
    this.delegate = delegate;
  }

  /** Every read and write ended so far, in the order they ended. */
  List<Window> windows() {
    return List.copyOf(windows);
  }

  @Override
  public Set<String> schemes() {
    return delegate.schemes();
  }

  @Override
  public Flux<ByteBuffer> read(URI uri, long offset) {
    return timedRead(uri, () -> delegate.read(uri, offset));
  }

  @Override
  public Flux<ByteBuffer> read(URI uri, long offset, String version) {
    return timedRead(uri, () -> delegate.read(uri, offset, version));
  }

  private Flux<ByteBuffer> timedRead(URI uri, java.util.function.Supplier<Flux<ByteBuffer>> read) {
    return Flux.defer(
        () -> {
          long start = System.currentTimeMillis();
          AtomicLong bytes = new AtomicLong();
          // The end is taken before the signal goes downstream: what the caller does next
          // (the metadata switch after a write) must not be timed as part of the read or write.
          return read.get()
              .doOnNext(chunk -> bytes.addAndGet(chunk.remaining()))
              .doOnComplete(() -> record(false, uri, start, bytes.get(), true))
              .doOnError(e -> record(false, uri, start, bytes.get(), false))
              .doOnCancel(() -> record(false, uri, start, bytes.get(), false));
        });
  }

  @Override
  public Mono<Void> write(URI uri, Flux<ByteBuffer> content) {
    return Mono.defer(
        () -> {
          long start = System.currentTimeMillis();
          AtomicLong bytes = new AtomicLong();
          return delegate
              .write(uri, content.doOnNext(chunk -> bytes.addAndGet(chunk.remaining())))
              .doOnSuccess(done -> record(true, uri, start, bytes.get(), true))
              .doOnError(e -> record(true, uri, start, bytes.get(), false))
              .doOnCancel(() -> record(true, uri, start, bytes.get(), false));
        });
  }

  private void record(boolean write, URI uri, long start, long bytes, boolean completed) {
    windows.add(new Window(write, uri, start, System.currentTimeMillis(), bytes, completed));
  }

  @Override
  public Mono<ObjectInfo> stat(URI uri) {
    return delegate.stat(uri);
  }

  @Override
  public Mono<Boolean> exists(URI uri) {
    return delegate.exists(uri);
  }

  @Override
  public Mono<Void> delete(URI uri) {
    return delegate.delete(uri);
  }
}
