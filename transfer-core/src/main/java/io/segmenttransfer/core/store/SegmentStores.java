package io.segmenttransfer.core.store;

import io.segmenttransfer.core.error.InvalidRequestException;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Finds the store for a URI by its scheme; a bare path means a local file. */
public final class SegmentStores {

  private final Map<String, SegmentStore> byScheme = new LinkedHashMap<>();

  public SegmentStores(List<SegmentStore> stores) {
    for (SegmentStore store : stores) {
      for (String scheme : store.schemes()) {
        byScheme.putIfAbsent(scheme.toLowerCase(Locale.ROOT), store);
      }
    }
  }

  public SegmentStore forUri(URI uri) {
    String scheme = uri.getScheme() == null ? "file" : uri.getScheme().toLowerCase(Locale.ROOT);
    SegmentStore store = byScheme.get(scheme);
    if (store == null) {
      throw new InvalidRequestException(
          null, "no store for '" + uri + "': supported schemes are " + byScheme.keySet());
    }
    return store;
  }

  /**
   * Parses a location as users write it: a URI with a scheme ({@code s3://b/k}, {@code file:///p},
   * {@code http://h/p}) or a plain file path, relative paths resolved against the working
   * directory.
   */
  public static URI toUri(String location) {
    if (location == null || location.isBlank()) {
      throw new InvalidRequestException(null, "empty location");
    }
    int colon = location.indexOf("://");
    if (colon > 0 && location.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.\\-]*")) {
      try {
        return URI.create(location);
      } catch (IllegalArgumentException e) {
        throw new InvalidRequestException(null, "malformed URI '" + location + "'", e);
      }
    }
    return Path.of(location).toAbsolutePath().normalize().toUri();
  }
}
