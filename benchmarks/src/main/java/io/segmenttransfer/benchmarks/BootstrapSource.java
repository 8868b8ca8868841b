package io.segmenttransfer.benchmarks;

import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.transfer.PeerFinder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a bootstrapping server finds its segments, as the bootstrap benchmark sees it: what this
 * project's downloader reads through, and how Pinot would fetch the same archive to a local file.
 * Implementations: the local file deep store, S3 (an in-process S3 API server, directly or behind a
 * bandwidth- and latency-limiting proxy) and peers (a controller and two server daemons).
 */
public interface BootstrapSource extends AutoCloseable {

  /**
   * Names the source in results and charts: {@code file}, {@code s3}, {@code s3-throttled}, {@code
   * peers}.
   */
  String name();

  /** One line on what this source is, for the report. */
  default String description() {
    return name();
  }

  /**
   * Makes the archive available from this source and returns the download URL its metadata carries.
   */
  String publish(CachedArchive archive) throws IOException;

  /**
   * The stores (besides local files) this project's downloader reads this source through; the
   * {@code TransferRuntime} built over them owns and closes them.
   */
  List<SegmentStore> stores();

  /** The peers this project's downloader may fall back to. */
  PeerFinder peers();

  /**
   * The baseline's download: Pinot copies the whole archive to a local file, in one stream, before
   * untarring it. {@code target} does not exist yet. Blocking.
   */
  void fetchToFile(SegmentMetadata segment, Path target) throws IOException;

  @Override
  void close();
}
