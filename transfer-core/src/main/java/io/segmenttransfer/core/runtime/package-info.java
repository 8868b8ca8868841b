/**
 * The one composition root of the read path: TransferRuntime, sized by RuntimeConfig, builds the
 * blocking-I/O scheduler, the stores, the extractor, downloaders and data directories, so the
 * daemon, the commands and the benchmarks run the same pipeline. Close it off the event loops.
 */
@NullMarked
package io.segmenttransfer.core.runtime;

import org.jspecify.annotations.NullMarked;
