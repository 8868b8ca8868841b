package io.segmenttransfer.core.transfer;

import io.segmenttransfer.core.segment.SegmentId;
import java.net.URI;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Finds the servers that can serve a segment to a peer: replicas ONLINE in the external view,
 * excluding this server. Called again on every retry round, because the view converges late.
 */
@FunctionalInterface
public interface PeerFinder {

  PeerFinder NONE = segment -> Mono.just(List.of());

  /**
   * Download URIs of the segment on its ONLINE peers, in random order; empty when there are none.
   */
  Mono<List<URI>> findPeers(SegmentId segment);
}
