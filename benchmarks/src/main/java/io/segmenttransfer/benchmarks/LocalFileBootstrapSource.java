package io.segmenttransfer.benchmarks;

import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.store.SegmentStores;
import io.segmenttransfer.core.transfer.PeerFinder;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import reactor.core.scheduler.Scheduler;

/**
 * The embedded default deep store: archives are files, read by {@link LocalFileSegmentStore}; the
 * baseline copies the file as Pinot's {@code LocalPinotFS.copyToLocalFile} does. Archives are used
 * where the {@link ArchiveCache} keeps them, so nothing is copied to publish them.
 */
public final class LocalFileBootstrapSource implements BootstrapSource {

  private final SegmentStores stores;

  public LocalFileBootstrapSource(Scheduler scheduler) {
    this.stores = new SegmentStores(List.of(new LocalFileSegmentStore(scheduler)));
  }

  @Override
  public String name() {
    return "file";
  }

  @Override
  public String publish(CachedArchive archive) {
    return archive.file().toUri().toString();
  }

  @Override
  public SegmentStores stores() {
    return stores;
  }

  @Override
  public PeerFinder peers() {
    return PeerFinder.NONE;
  }

  @Override
  public String description() {
    return "file:// deep store (LocalFileSegmentStore; baseline copies the file)";
  }

  @Override
  public void fetchToFile(SegmentMetadata segment, Path target) throws IOException {
    Files.copy(Path.of(URI.create(segment.downloadUrl().orElseThrow())), target, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void close() {
    // Nothing held: the store's reads are scoped to each subscription.
  }
}
