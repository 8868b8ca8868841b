package io.segmenttransfer.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.timeout.ReadTimeoutException;
import io.segmenttransfer.core.error.ArchiveLimitExceededException;
import io.segmenttransfer.core.error.EntityNotFoundException;
import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.ShuttingDownException;
import io.segmenttransfer.core.error.SourceChangedException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import io.segmenttransfer.core.error.StateConflictException;
import java.util.concurrent.TimeoutException;

/**
 * The one place where an error becomes the status an HTTP surface answers with (the controller's
 * routes, the server's admin routes), so the same failure gets the same status everywhere. The
 * opposite direction, a status to an error, is {@link HttpErrors}.
 */
public final class ErrorStatus {

  private ErrorStatus() {}

  /** The status for {@code error}; 500 for anything this mapping does not know. */
  public static HttpResponseStatus of(Throwable error) {
    if (error instanceof InvalidRequestException || error instanceof InvalidArchiveException) {
      return HttpResponseStatus.BAD_REQUEST;
    }
    if (error instanceof ArchiveLimitExceededException) {
      return HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
    }
    if (error instanceof EntityNotFoundException || error instanceof SourceNotFoundException) {
      return HttpResponseStatus.NOT_FOUND;
    }
    if (error instanceof StateConflictException) {
      return HttpResponseStatus.CONFLICT;
    }
    // The client pinned a version (If-Match) that the object no longer has.
    if (error instanceof SourceChangedException) {
      return HttpResponseStatus.PRECONDITION_FAILED;
    }
    // The client's request body stalled longer than the listener's body-read timeout.
    if (error instanceof ReadTimeoutException) {
      return HttpResponseStatus.REQUEST_TIMEOUT;
    }
    if (error instanceof TimeoutException) {
      return HttpResponseStatus.GATEWAY_TIMEOUT;
    }
    if (error instanceof SourceUnavailableException || error instanceof ShuttingDownException) {
      return HttpResponseStatus.SERVICE_UNAVAILABLE;
    }
    // Everything else, including a deep store that denies this service access
    // (SourceAccessDeniedException): the caller's credentials are not involved, the fault is ours.
    return HttpResponseStatus.INTERNAL_SERVER_ERROR;
  }
}
