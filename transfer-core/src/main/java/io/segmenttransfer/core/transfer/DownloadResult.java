package io.segmenttransfer.core.transfer;

import io.segmenttransfer.core.error.SourcesExhaustedException.Attempt;
import io.segmenttransfer.core.extract.ExtractionResult;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * A segment downloaded and in place.
 *
 * @param extraction what was written and verified
 * @param attempts source attempts made in all, the successful one included
 * @param failedAttempts the attempts that failed on the way, in order
 * @param bytesBySource archive bytes received from each source
 * @param restarts how often extraction had to start over from byte 0 (no source could resume)
 */
public record DownloadResult(
    ExtractionResult extraction,
    int attempts,
    List<Attempt> failedAttempts,
    Map<URI, Long> bytesBySource,
    int restarts) {

  public DownloadResult {
    failedAttempts = List.copyOf(failedAttempts);
    bytesBySource = Map.copyOf(bytesBySource);
  }

  /**
   * Total archive bytes fetched over the network or from disk, resumed and restarted ones included.
   */
  public long bytesFetched() {
    return bytesBySource.values().stream().mapToLong(Long::longValue).sum();
  }
}
