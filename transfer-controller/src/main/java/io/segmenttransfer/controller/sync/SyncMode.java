package io.segmenttransfer.controller.sync;

import io.segmenttransfer.core.error.InvalidRequestException;

/**
 * Which segments a run takes, Pinot's alter-table task semantics: {@code reloadOnly} those some
 * server reports stale ({@code isStale}); {@code forceReload} (the first, bootstrapping run) every
 * segment without the current hash, without asking servers whether they are stale; neither:
 * nothing, and the report says so.
 */
public enum SyncMode {
  RELOAD_ONLY("reloadOnly"),
  FORCE_RELOAD("forceReload"),
  NONE("none");

  private final String label;

  SyncMode(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** From the two request flags; both at once is refused. */
  public static SyncMode of(boolean reloadOnly, boolean forceReload) {
    if (reloadOnly && forceReload) {
      throw new InvalidRequestException(
          null, "reloadOnly and forceReload exclude each other: set one of them");
    }
    return reloadOnly ? RELOAD_ONLY : forceReload ? FORCE_RELOAD : NONE;
  }

  /** From a label ({@code reloadOnly}, {@code forceReload}, {@code none}). */
  public static SyncMode parse(String label) {
    for (SyncMode mode : values()) {
      if (mode.label.equalsIgnoreCase(label.trim())) {
        return mode;
      }
    }
    throw new InvalidRequestException(
        null, "sync mode '" + label + "' is not reloadOnly, forceReload or none");
  }
}
