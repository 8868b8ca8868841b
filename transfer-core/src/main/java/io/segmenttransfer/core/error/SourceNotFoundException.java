package io.segmenttransfer.core.error;

import java.net.URI;

/** The source has no object at that location (HTTP 404, no such key, no such file). */
public final class SourceNotFoundException extends SourceException {
  public SourceNotFoundException(URI source, String message) {
    super(source, message, null);
  }

  public SourceNotFoundException(URI source, String message, Throwable cause) {
    super(source, message, cause);
  }
}
