package io.segmenttransfer.http;

import io.netty.channel.ChannelException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.timeout.TimeoutException;
import io.segmenttransfer.core.error.SegmentTransferException;
import io.segmenttransfer.core.error.SourceAccessDeniedException;
import io.segmenttransfer.core.error.SourceChangedException;
import io.segmenttransfer.core.error.SourceException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;
import reactor.netty.channel.AbortedException;

/**
 * The one place where HTTP answers and client failures become the project's source errors, so
 * every caller (downloads, HEADs, the peer finder) classifies them the same way.
 */
public final class HttpErrors {

  private HttpErrors() {}

  /**
   * The error for a non-success status, or null for 2xx. 416 means the byte offset does not fit
   * the object as it is now, which is the same situation as a changed object.
   */
  public static @Nullable SourceException forStatus(URI uri, int status, HttpHeaders headers) {
    if (status >= 200 && status < 300) {
      return null;
    }
    String what = "HTTP " + status;
    return switch (status) {
      case 404, 410 -> new SourceNotFoundException(uri, what + ": no such object");
      case 401, 403 -> new SourceAccessDeniedException(uri, what + ": access denied", null);
      case 412 -> new SourceChangedException(uri, what + ": the object no longer has the requested version");
      case 416 -> new SourceChangedException(uri, what + ": the requested byte offset is beyond the object");
      case 408, 429 -> new SourceUnavailableException(uri, what, null, retryAfter(headers, Clock.systemUTC()));
      default -> {
        if (status >= 500) {
          yield new SourceUnavailableException(uri, what, null, retryAfter(headers, Clock.systemUTC()));
        }
        // 3xx not followed, 400, 405...: the request cannot succeed as sent; another source may.
        yield new SourceNotFoundException(uri, what + ": unexpected answer");
      }
    };
  }

  /** A failure of the exchange itself (connect, reset, premature close, read timeout). */
  public static Throwable forFailure(URI uri, Throwable error) {
    if (error instanceof SegmentTransferException) {
      return error;
    }
    if (error instanceof IOException || error instanceof ChannelException || error instanceof TimeoutException
        || error instanceof AbortedException || error.getCause() instanceof IOException) {
      return new SourceUnavailableException(uri, describe(error), error);
    }
    return error;
  }

  private static String describe(Throwable error) {
    String message = error.getMessage();
    return error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /**
   * The delay a {@code Retry-After} header asks for: delta-seconds or an HTTP date; null when
   * absent or unreadable (an unreadable hint is no reason to fail the attempt differently).
   */
  public static @Nullable Duration retryAfter(@Nullable HttpHeaders headers, Clock clock) {
    String value = headers == null ? null : headers.get(HttpHeaderNames.RETRY_AFTER);
    if (value == null || value.isBlank()) {
      return null;
    }
    String trimmed = value.trim();
    try {
      long seconds = Long.parseLong(trimmed);
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration wait = Duration.between(clock.instant(), at.toInstant());
        return wait.isNegative() ? Duration.ZERO : wait;
      } catch (DateTimeParseException notDate) {
        return null;
      }
    }
  }

  /** An entity tag without weak marker and quotes: {@code W/"abc"} -> {@code abc}. */
  public static @Nullable String stripETag(@Nullable String etag) {
    if (etag == null) {
      return null;
    }
    String tag = etag.trim();
    if (tag.startsWith("W/") || tag.startsWith("w/")) {
      tag = tag.substring(2);
    }
    if (tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"")) {
      tag = tag.substring(1, tag.length() - 1);
    }
    return tag;
  }
}
