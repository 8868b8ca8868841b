package io.segmenttransfer.core.runtime;

import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.layout.SegmentSwap;
import io.segmenttransfer.core.local.DataDirectoryConfig;
import io.segmenttransfer.core.local.SegmentDataDirectory;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.core.transfer.PeerFinder;
import io.segmenttransfer.core.transfer.SegmentDownloader;
import io.segmenttransfer.core.transfer.SegmentMetadataSource;
import io.segmenttransfer.core.transfer.TransferListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The one composition root of the read path: the blocking-I/O scheduler, the stores by URI scheme
 * (local files always, plus those given), the extractor, and downloaders and data directories over
 * them. The server daemon, every command and the benchmarks build their pipeline here, so they run
 * the same code with the same sizing.
 *
 * <p>{@link #close()} closes the given stores that are {@link AutoCloseable} and disposes the
 * scheduler; closing an SDK client may block, so call it off event loops.
 */
public final class TransferRuntime implements AutoCloseable {

  /** Thread-name prefix of a command's runtime (extract, load, bootstrap...). */
  public static final String CLI_THREADS = "segment-io";

  private static final Logger LOG = LoggerFactory.getLogger(TransferRuntime.class);

  private final RuntimeConfig config;
  private final Scheduler scheduler;
  private final SegmentStores stores;
  private final SegmentExtractor extractor;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  /**
   * @param name prefix of the scheduler's thread names
   * @param extraStores stores besides local files (S3, HTTP); those that are AutoCloseable are
   *     closed with this runtime
   */
  public TransferRuntime(
      String name,
      RuntimeConfig config,
      CrypterRegistry crypters,
      List<? extends SegmentStore> extraStores) {
    this.config = config;
    this.scheduler = Schedulers.newBoundedElastic(config.ioThreads(), config.queuedTasks(), name);
    List<SegmentStore> all = new ArrayList<>(extraStores);
    all.add(new LocalFileSegmentStore(scheduler));
    this.stores = new SegmentStores(all);
    this.extractor = new SegmentExtractor(config.extraction(), crypters, scheduler);
    for (SegmentStore store : extraStores) {
      if (store instanceof AutoCloseable closeable) {
        closeables.add(closeable);
      }
    }
  }

  /** The bounded scheduler for file I/O, decompression and writes. */
  public Scheduler scheduler() {
    return scheduler;
  }

  public SegmentStores stores() {
    return stores;
  }

  public SegmentExtractor extractor() {
    return extractor;
  }

  /** A downloader over these stores that falls back to {@code peers}. */
  public SegmentDownloader downloader(PeerFinder peers) {
    return new SegmentDownloader(extractor, stores, peers, config.download());
  }

  /** A data directory whose downloads go through this runtime, falling back to {@code peers}. */
  public SegmentDataDirectory dataDirectory(
      Path dataDir,
      DataDirectoryConfig directoryConfig,
      PeerFinder peers,
      @Nullable SegmentMetadataSource metadataSource,
      TransferListener listener) {
    return new SegmentDataDirectory(
        dataDir,
        downloader(peers),
        directoryConfig,
        scheduler,
        peers,
        metadataSource,
        listener,
        SegmentSwap.StepObserver.NONE);
  }

  @Override
  public void close() {
    for (AutoCloseable closeable : closeables) {
      try {
        closeable.close();
      } catch (Exception e) {
        // Closing on the way out: nothing left to protect, but say what did not close cleanly.
        LOG.debug("closing {} failed", closeable, e);
      }
    }
    scheduler.dispose();
  }
}
