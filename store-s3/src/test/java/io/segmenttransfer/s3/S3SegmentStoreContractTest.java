package io.segmenttransfer.s3;

import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.store.SegmentStoreContract;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The core's store contract against a real S3 API server, with 64 KiB read parts so that every
 * object of the suite is read with parallel ranged GETs, and the smallest upload parts S3 allows (5
 * MiB) so that the suite's 8 MiB object goes through a multipart upload.
 */
class S3SegmentStoreContractTest extends SegmentStoreContract {

  private static S3SegmentStore store;

  @BeforeAll
  static void start() {
    S3TestServer server = S3TestServer.shared();
    store =
        S3SegmentStore.create(
            S3TestServer.config(server.endpoint())
                .withReadParts(64 * 1024, 4)
                .withUploadParts(S3TestServer.MIN_UPLOAD_PART, 2));
  }

  @AfterAll
  static void stop() {
    store.close();
  }

  @Override
  protected SegmentStore store() {
    return store;
  }

  @Override
  protected URI newUri(String name) {
    return S3TestServer.newUri(name);
  }
}
