package io.segmenttransfer.benchmarks;

import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.store.SegmentStore;
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

  public LocalFileBootstrapSource(Scheduler scheduler) {
    // Files need no store of their own: every runtime reads file:// URIs.
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
  public List<SegmentStore> stores() {
    return List.of();
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
    Files.copy(
        Path.of(URI.create(segment.downloadUrl().orElseThrow())),
        target,
        StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void close() {
    // Nothing held: the store's reads are scoped to each subscription.
  }
}
