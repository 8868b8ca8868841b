package io.segmenttransfer.server.cli;

import io.segmenttransfer.core.crypto.CrypterRegistry;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.extract.SegmentExtractor;
import io.segmenttransfer.core.local.DataDirectoryConfig;
import io.segmenttransfer.core.local.SegmentDataDirectory;
import io.segmenttransfer.core.layout.SegmentSwap;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.core.transfer.DownloadConfig;
import io.segmenttransfer.core.transfer.PeerFinder;
import io.segmenttransfer.core.transfer.SegmentDownloader;
import io.segmenttransfer.core.transfer.SegmentMetadataSource;
import io.segmenttransfer.core.transfer.TransferListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The pieces a command needs, built once from its options and closed together: the blocking I/O
 * scheduler, the stores by URI scheme, the extractor and the downloader.
 */
final class TransferComponents implements AutoCloseable {

  /** Threads for file I/O, decompression and writes: enough for a few transfers per core. */
  private static final int IO_THREADS = Math.max(4, 4 * Runtime.getRuntime().availableProcessors());

  final Scheduler scheduler;
  final SegmentStores stores;
  final SegmentExtractor extractor;
  final SegmentDownloader downloader;
  private final List<AutoCloseable> resources = new ArrayList<>();

  /** @param extraStores stores besides local files (S3, HTTP); those that are AutoCloseable are closed with this */
  TransferComponents(CrypterRegistry crypters, DownloadConfig downloadConfig, PeerFinder peers, List<SegmentStore> extraStores) {
    this.scheduler = Schedulers.newBoundedElastic(IO_THREADS, 10_000, "segment-io");
    List<SegmentStore> all = new ArrayList<>(extraStores);
    all.add(new LocalFileSegmentStore(scheduler));
    this.stores = new SegmentStores(all);
    this.extractor = new SegmentExtractor(ExtractionConfig.defaults(), crypters, scheduler);
    this.downloader = new SegmentDownloader(extractor, stores, peers, downloadConfig);
    for (SegmentStore store : extraStores) {
      if (store instanceof AutoCloseable closeable) {
        resources.add(closeable);
      }
    }
  }

  SegmentDataDirectory dataDirectory(Path dataDir, DataDirectoryConfig config, PeerFinder peers,
      SegmentMetadataSource metadataSource, TransferListener listener) {
    return new SegmentDataDirectory(dataDir, downloader, config, scheduler, peers, metadataSource, listener,
        SegmentSwap.StepObserver.NONE);
  }

  @Override
  public void close() {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception ignored) {
        // Closing on the way out: nothing left to protect.
      }
    }
    scheduler.dispose();
  }
}
