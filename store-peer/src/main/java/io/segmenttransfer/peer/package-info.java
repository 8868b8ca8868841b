/**
 * Peer transfer over HTTP, both sides: HttpSegmentStore reads http(s) URIs (peers, controller
 * download URLs) with Range and If-Match resuming, ExternalViewPeerFinder finds ONLINE replicas
 * through the controller's external view, and PeerSegmentHandler serves a server's own segments as
 * deterministic archives (gzip, zstd, lz4) under upload limits. Configuration is in
 * HttpStoreConfig, PeerDiscoveryConfig and PeerServeConfig; HTTP status mapping comes from
 * transfer-http.
 */
@NullMarked
package io.segmenttransfer.peer;

import org.jspecify.annotations.NullMarked;
