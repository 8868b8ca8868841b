/**
 * Helpers of PeerSegmentHandler, not API: ArchiveCache keeps built archives on disk (bounded, LRU)
 * so resumed Range requests get the same bytes, and UploadLimits bounds concurrent uploads and
 * bytes per second. Methods touching files block: call them on a blocking-capable scheduler.
 */
@NullMarked
package io.segmenttransfer.peer.internal;

import org.jspecify.annotations.NullMarked;
