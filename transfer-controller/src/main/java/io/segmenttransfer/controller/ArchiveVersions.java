package io.segmenttransfer.controller;

import io.segmenttransfer.core.archive.Codec;
import java.net.URI;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Names the versions of a segment's archive that refreshes and the deep-store sync write ({@link
 * io.segmenttransfer.core.store.DeepStoreLayout#versionedArchive}): {@code r<epoch ms>-<random>},
 * unique without coordination, ordered by time for a human reading the store.
 *
 * <p>Public only for the controller's own sub-packages ({@code sync}); not an API.
 */
public final class ArchiveVersions {

  private static final Pattern VERSIONED = Pattern.compile(".*\\.\\.r[0-9]+-[0-9a-f]+\\..+");

  private ArchiveVersions() {}

  /** A new version name. */
  public static String next(Clock clock) {
    return "r"
        + clock.millis()
        + "-"
        + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
  }

  /** Whether the archive's key is a version ({@code <segment>..<version>.<ext>}). */
  public static boolean isVersioned(@Nullable URI archive) {
    if (archive == null || archive.getPath() == null) {
      return false;
    }
    String name = archive.getPath().substring(archive.getPath().lastIndexOf('/') + 1);
    return VERSIONED.matcher(name).matches();
  }

  /** Whether {@code archive}'s key ends with {@code codec}'s extension. */
  public static boolean sameCodec(@Nullable URI archive, Codec codec) {
    return archive != null
        && archive.getPath() != null
        && archive.getPath().endsWith("." + codec.extension());
  }
}
