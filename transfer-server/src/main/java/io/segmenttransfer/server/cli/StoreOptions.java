package io.segmenttransfer.server.cli;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.store.SegmentStore;
import io.segmenttransfer.peer.HttpSegmentStore;
import io.segmenttransfer.s3.S3SegmentStore;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Mixin;

/**
 * Where archives can come from besides local files: S3 and HTTP(S) (a controller's or peer's
 * download URL). A store is only built for a scheme some location actually uses, so a plain file
 * extraction starts no SDK client.
 */
final class StoreOptions {

  /** The schemes a command can read: local files always, S3 and HTTP(S) built on demand. */
  private static final java.util.Set<String> SCHEMES =
      java.util.Set.of("file", "s3", "http", "https");

  @Mixin S3Options s3;

  @Mixin HttpOptions http;

  /**
   * The stores the given locations need; each is also an {@link AutoCloseable} the caller closes.
   */
  List<SegmentStore> storesFor(Collection<URI> locations) {
    for (URI location : locations) {
      String scheme =
          location.getScheme() == null ? "" : location.getScheme().toLowerCase(Locale.ROOT);
      if (!SCHEMES.contains(scheme)) {
        throw new InvalidRequestException(
            null,
            "cannot read '"
                + location
                + "': give a path, or a file://, s3://bucket/key, http:// or https:// URL");
      }
    }
    List<SegmentStore> stores = new ArrayList<>();
    if (uses(locations, "s3")) {
      stores.add(S3SegmentStore.create(s3.toOneShotConfig(System.getenv())));
    }
    if (uses(locations, "http") || uses(locations, "https")) {
      // Without https locations, the store's warm-up leaves TLS (OpenSSL's native library) out.
      stores.add(HttpSegmentStore.create(http.toConfig(), uses(locations, "https")));
    }
    return stores;
  }

  private static boolean uses(Collection<URI> locations, String scheme) {
    return locations.stream()
        .anyMatch(
            uri ->
                uri.getScheme() != null && uri.getScheme().toLowerCase(Locale.ROOT).equals(scheme));
  }
}
