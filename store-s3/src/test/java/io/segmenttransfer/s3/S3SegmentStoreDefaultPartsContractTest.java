package io.segmenttransfer.s3;

import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.core.store.SegmentStoreContract;
import java.net.URI;

/**
 * The core's store contract with the default 8 MiB parts: the suite's objects then take the
 * single-GET and single-PUT paths.
 */
class S3SegmentStoreDefaultPartsContractTest extends SegmentStoreContract {

  @Override
  protected SegmentStore store() {
    return S3TestServer.shared().direct();
  }

  @Override
  protected URI newUri(String name) {
    return S3TestServer.newUri(name);
  }
}
