/**
 * A server's data directory: SegmentDataDirectory is the entry point that adds, replaces, reloads,
 * removes and recovers segments (keeping CRC-equal copies, downloading through a SegmentDownloader
 * otherwise) under per-segment locks and download permits (DataDirectoryConfig). It reports
 * SegmentOutcomes and TransferEvents and exposes LocalSegments to the peer side.
 */
@NullMarked
package io.segmenttransfer.core.local;

import org.jspecify.annotations.NullMarked;
