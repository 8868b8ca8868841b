package io.segmenttransfer.core.testing;

import io.segmenttransfer.core.store.ObjectInfo;
import io.segmenttransfer.core.store.SegmentStore;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A real store passed through, for test stores that instrument or break one operation (usually
 * {@link #read}) and leave the others as they are.
 */
public abstract class ForwardingSegmentStore implements SegmentStore {

  protected final SegmentStore delegate;

  protected ForwardingSegmentStore(SegmentStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public Set<String> schemes() {
    return delegate.schemes();
  }

  @Override
  public Flux<ByteBuffer> read(URI uri, long offset) {
    return delegate.read(uri, offset);
  }

  @Override
  public Mono<ObjectInfo> stat(URI uri) {
    return delegate.stat(uri);
  }

  @Override
  public Mono<Void> write(URI uri, Flux<ByteBuffer> content) {
    return delegate.write(uri, content);
  }

  @Override
  public Mono<Void> delete(URI uri) {
    return delegate.delete(uri);
  }
}
