package io.segmenttransfer.controller.sync;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.TableNameWithType;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * One run asked for.
 *
 * @param parallelism segments processed at once; null for the configured default
 * @param processorTimeout how long the processor may take per segment; null for the default
 */
public record SyncRequest(
    TableNameWithType table,
    SyncMode mode,
    ProcessorOptions processor,
    @Nullable Integer parallelism,
    @Nullable Duration processorTimeout) {

  public SyncRequest {
    if (table == null || mode == null || processor == null) {
      throw new InvalidRequestException(
          null, "a sync request needs a table, a mode and a processor");
    }
    if (parallelism != null
        && (parallelism < 1 || parallelism > DeepStoreSyncConfig.MAX_PARALLELISM)) {
      throw new InvalidRequestException(
          null,
          "parallelism must be 1-" + DeepStoreSyncConfig.MAX_PARALLELISM + ", was " + parallelism);
    }
    if (processorTimeout != null && (processorTimeout.isNegative() || processorTimeout.isZero())) {
      throw new InvalidRequestException(
          null, "processor timeout must be positive, was " + processorTimeout);
    }
  }

  public SyncRequest(TableNameWithType table, SyncMode mode, ProcessorOptions processor) {
    this(table, mode, processor, null, null);
  }
}
