package io.segmenttransfer.s3;

import static io.segmenttransfer.s3.S3TestServer.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.store.ObjectInfo;
import java.net.URI;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * What a command that only downloads does (stat, then ranged reads) never builds the SDK client:
 * that client costs a fresh JVM about a second; the reads run on their own reactor-netty client.
 * The first write builds it.
 */
class ReadOnlyStoreTest {

  @Test
  void statAndReadsLeaveTheSdkClientUnbuiltUntilAWrite() {
    S3TestServer server = S3TestServer.shared();
    URI uri = S3TestServer.newUri("read-only.tar.gz");
    byte[] bytes = S3TestServer.random(300_000, 7);
    server.put(uri, bytes);

    try (S3SegmentStore store =
        S3SegmentStore.create(S3TestServer.config(server.endpoint()).withReadParts(64 * 1024, 2))) {
      ObjectInfo info = store.stat(uri).block(TIMEOUT);
      assertThat(info.size()).isEqualTo(bytes.length);
      assertThat(S3TestServer.collect(store.read(uri, 0, info.version()))).isEqualTo(bytes);
      assertThat(S3TestServer.collect(store.read(uri, 1000)))
          .isEqualTo(Arrays.copyOfRange(bytes, 1000, bytes.length));
      assertThat(store.sdkClientBuilt()).isFalse();

      URI copy = S3TestServer.newUri("read-only-copy.tar.gz");
      store.write(copy, S3TestServer.chunks(bytes, 50_000)).block(TIMEOUT);
      assertThat(store.sdkClientBuilt()).isTrue();
      assertThat(S3TestServer.collect(store.read(copy, 0))).isEqualTo(bytes);
    }
  }
}
