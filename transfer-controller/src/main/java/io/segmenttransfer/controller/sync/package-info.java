/**
 * The deep-store sync task: rebuilds the segments of a table whose copies are stale under its
 * current config and schema once, at the source, and switches their metadata to the rebuilt
 * archive, so every server holding them refreshes through the ordinary download path. {@link
 * io.segmenttransfer.controller.sync.DeepStoreSync} runs it (one run per table at a time, bounded
 * parallelism, cancellable); {@link io.segmenttransfer.controller.sync.SegmentRebuild} does one
 * segment; {@link io.segmenttransfer.controller.sync.SegmentProcessor} is the small SPI the
 * rebuilds are done with ({@code recompress}, {@code command}, {@code pinot}).
 */
package io.segmenttransfer.controller.sync;
