package io.segmenttransfer.core.error;

import java.net.URI;

/**
 * A segment source (deep store or peer) failed. Each store adapter maps its SDK's errors to one of
 * these in one place.
 */
public abstract sealed class SourceException extends SegmentTransferException
    permits SourceNotFoundException,
        SourceAccessDeniedException,
        SourceUnavailableException,
        SourceChangedException {

  private final URI source;

  protected SourceException(URI source, String message, Throwable cause) {
    super(null, source + ": " + message, cause);
    this.source = source;
  }

  public URI source() {
    return source;
  }
}
