/**
 * Downloads with fallback: SegmentDownloader (the entry point) fetches a segment's archive from its
 * deep-store URIs and then from peers found by a PeerFinder, retrying per RetryPolicy and resuming
 * at byte offsets through the extractor, and returns a DownloadResult. TransferListener receives
 * TransferEvents for progress and metrics.
 */
@NullMarked
package io.segmenttransfer.core.transfer;

import org.jspecify.annotations.NullMarked;
