package io.segmenttransfer.core.transfer;

import io.segmenttransfer.core.error.SourcesExhaustedException.Attempt;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An archive fetched as it is into a local file by {@link SegmentDownloader#fetchArchive}.
 *
 * @param file where the archive now is
 * @param size its size in bytes
 * @param attempts source attempts made in all, the successful one included
 * @param failedAttempts the attempts that failed on the way, in order
 * @param bytesBySource bytes received from each source, resumed and restarted ones included
 */
public record ArchiveFetchResult(
    Path file,
    long size,
    int attempts,
    List<Attempt> failedAttempts,
    Map<URI, Long> bytesBySource) {

  public ArchiveFetchResult {
    failedAttempts = List.copyOf(failedAttempts);
    bytesBySource = Map.copyOf(bytesBySource);
  }
}
