package io.segmenttransfer.controller;

import io.segmenttransfer.core.store.SegmentStores;
import java.net.URI;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Deletes deep-store archives the controller no longer references (deleted segments and tables,
 * archives replaced under another extension). Runs after the metadata change is durable, so a
 * failure here leaves an orphaned object, never a segment without its archive; failures are logged,
 * not returned, because the change they follow has already succeeded.
 *
 * <p>Public only for the controller's own sub-packages ({@code sync}); not an API.
 */
public final class ArchiveJanitor {

  private static final Logger LOG = LoggerFactory.getLogger(ArchiveJanitor.class);

  private final SegmentStores stores;

  ArchiveJanitor(SegmentStores stores) {
    this.stores = stores;
  }

  /** Deletes the archives, at most four at a time; completes when all were tried. */
  public Mono<Void> delete(Collection<URI> archives) {
    return Flux.fromIterable(archives)
        .flatMap(
            uri ->
                Mono.defer(() -> stores.forUri(uri).delete(uri))
                    .onErrorResume(
                        e -> {
                          LOG.warn("could not delete deep-store archive {}: {}", uri, e.toString());
                          return Mono.empty();
                        }),
            4)
        .then();
  }
}
