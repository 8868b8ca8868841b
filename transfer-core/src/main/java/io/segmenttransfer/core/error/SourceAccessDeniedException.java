package io.segmenttransfer.core.error;

import java.net.URI;

/** The source refused us (HTTP 401/403, file permissions); retrying the same source cannot help. */
public final class SourceAccessDeniedException extends SourceException {
  public SourceAccessDeniedException(URI source, String message, Throwable cause) {
    super(source, message, cause);
  }
}
