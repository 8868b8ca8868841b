/**
 * Where archives are read from and written to: the SegmentStore interface (demand-driven reads from
 * a byte offset, conditional reads on an ObjectInfo version, atomic writes), SegmentStores to pick
 * one by URI scheme, LocalFileSegmentStore for file URIs, and DeepStoreLayout, the one rule for a
 * segment archive's URI in a deep store. The S3 and HTTP stores live in their own modules.
 */
@NullMarked
package io.segmenttransfer.core.store;

import org.jspecify.annotations.NullMarked;
