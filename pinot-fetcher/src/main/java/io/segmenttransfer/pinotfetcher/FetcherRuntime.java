package io.segmenttransfer.pinotfetcher;

import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.runtime.RuntimeConfig;
import io.segmenttransfer.core.runtime.TransferRuntime;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.core.transfer.PeerFinder;
import io.segmenttransfer.core.transfer.SegmentDownloader;
import io.segmenttransfer.peer.HttpSegmentStore;
import io.segmenttransfer.s3.S3SegmentStore;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * One fetcher's pipeline: a {@link TransferRuntime} (its bounded I/O threads, the extractor) over
 * the S3, HTTP and local-file stores, and downloaders over those stores, rate-limited per call when
 * Pinot asks for it. Closed when the fetcher is initialised again.
 */
final class FetcherRuntime implements AutoCloseable {

  /** Thread-name prefix, so the plugin's threads are recognisable in a Pinot server's dumps. */
  static final String THREADS = "segment-fetcher-io";

  private static final URI ANY_FILE = URI.create("file:///");

  private final FetcherSettings settings;
  private final TransferRuntime runtime;
  private final List<SegmentStore> stores;

  FetcherRuntime(FetcherSettings settings) {
    this.settings = settings;
    S3SegmentStore s3 = S3SegmentStore.create(settings.s3());
    HttpSegmentStore http = HttpSegmentStore.create(settings.http());
    RuntimeConfig config =
        new RuntimeConfig(
            RuntimeConfig.DEFAULT_IO_THREADS,
            RuntimeConfig.DEFAULT_QUEUED_TASKS,
            settings.extraction(),
            settings.download());
    this.runtime =
        new TransferRuntime(
            THREADS, config, CrypterRegistry.fromConfig(settings.crypters()), List.of(s3, http));
    this.stores = List.of(s3, http, runtime.stores().forUri(ANY_FILE));
  }

  FetcherSettings settings() {
    return settings;
  }

  Scheduler scheduler() {
    return runtime.scheduler();
  }

  /** A downloader whose reads pass {@code limit}, when there is one. */
  SegmentDownloader downloader(@Nullable ByteRateLimit limit, PeerFinder peers) {
    SegmentStores limited = runtime.stores();
    if (limit != null) {
      List<SegmentStore> wrapped = new ArrayList<>();
      for (SegmentStore store : stores) {
        wrapped.add(RateLimitedStore.of(store, limit));
      }
      limited = new SegmentStores(wrapped);
    }
    return new SegmentDownloader(runtime.extractor(), limited, peers, settings.download());
  }

  @Override
  public void close() {
    runtime.close();
  }
}
