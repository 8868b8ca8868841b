package io.segmenttransfer.controller.api;

import io.segmenttransfer.core.error.InvalidRequestException;
import java.util.Locale;

/**
 * A replica's state in the external view, as a server reports it. Only ONLINE replicas serve peers.
 */
public enum SegmentState {
  ONLINE,
  CONSUMING,
  OFFLINE,
  ERROR;

  /**
   * Parses a state name case-insensitively; anything else is an {@link InvalidRequestException}.
   */
  public static SegmentState parse(String value) {
    if (value != null) {
      try {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException ignored) {
        // fall through to the message naming the accepted values
      }
    }
    throw new InvalidRequestException(
        null, "state '" + value + "' is not one of ONLINE, CONSUMING, OFFLINE, ERROR");
  }
}
