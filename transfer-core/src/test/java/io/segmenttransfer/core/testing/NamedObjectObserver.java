package io.segmenttransfer.core.testing;

import io.segmenttransfer.core.store.SegmentStore;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A deep store that watches its writers: at every write, every chunk written and every delete it
 * asks which objects the metadata names right now and records a violation when the object touched
 * is one of them. So a test proves, by observation rather than timing, that no object a segment's
 * record names is ever half-written, overwritten or deleted under a reader. The names are asked
 * from the thread doing the write (a blocking-capable one in the stores' writers).
 */
public final class NamedObjectObserver extends ForwardingSegmentStore {

  private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger checks = new AtomicInteger();
  private volatile Supplier<Collection<URI>> named = List::of;

  public NamedObjectObserver(SegmentStore delegate) {
    super(delegate);
  }

  /** What the metadata names now; until set, nothing is checked. */
  public void watch(Supplier<Collection<URI>> namedObjects) {
    this.named = namedObjects;
  }

  public List<String> violations() {
    return List.copyOf(violations);
  }

  /** How many times the names were checked: a test asserts it is not zero. */
  public int checks() {
    return checks.get();
  }

  @Override
  public Mono<Void> write(URI uri, Flux<ByteBuffer> content) {
    return Mono.defer(
        () -> {
          check(uri, "write");
          return delegate.write(uri, content.doOnNext(chunk -> check(uri, "chunk of")));
        });
  }

  @Override
  public Mono<Void> delete(URI uri) {
    return Mono.defer(
        () -> {
          check(uri, "delete of");
          return delegate.delete(uri);
        });
  }

  private void check(URI uri, String what) {
    checks.incrementAndGet();
    if (named.get().contains(uri)) {
      violations.add(what + " " + uri + " while a segment's record names it");
    }
  }
}
