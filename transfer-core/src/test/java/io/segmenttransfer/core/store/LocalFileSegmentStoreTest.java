package io.segmenttransfer.core.store;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

class LocalFileSegmentStoreTest extends SegmentStoreContract {

  private static Scheduler scheduler;

  @TempDir Path root;

  @BeforeAll
  static void start() {
    scheduler = Schedulers.newBoundedElastic(4, 100, "file-store-test");
  }

  @AfterAll
  static void stop() {
    scheduler.dispose();
  }

  @Override
  protected SegmentStore store() {
    return new LocalFileSegmentStore(scheduler, 64 * 1024);
  }

  @Override
  protected URI newUri(String name) {
    return root.resolve("deepstore").resolve(name).toUri();
  }
}
