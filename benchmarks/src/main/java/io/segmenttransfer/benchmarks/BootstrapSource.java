package io.segmenttransfer.benchmarks;

import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.core.transfer.PeerFinder;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Where a bootstrapping server finds its segments, as the bootstrap benchmark sees it: what this
 * project's downloader reads through, and how Pinot would fetch the same archive to a local file.
 * The local file deep store is the first; S3 (through the in-process S3 API server), peers and the
 * bandwidth-limited proxy plug in here as they land.
 */
public interface BootstrapSource extends AutoCloseable {

  /** Names the source in results and charts: {@code file}, {@code s3}, {@code peers}. */
  String name();

  /** Makes the archive available from this source and returns the download URL its metadata carries. */
  String publish(CachedArchive archive) throws IOException;

  /** The stores this project's downloader uses for this source. */
  SegmentStores stores();

  /** The peers this project's downloader may fall back to. */
  PeerFinder peers();

  /** The baseline's download: Pinot copies the whole archive to a local file before untarring it. Blocking. */
  void fetchToFile(String downloadUrl, Path target) throws IOException;

  @Override
  void close();
}
