package io.segmenttransfer.core.error;

import java.net.URI;

/**
 * The object changed under a read (another ETag, size or CRC than the bytes already consumed):
 * continuing would mix two versions, so the read stops here.
 */
public final class SourceChangedException extends SourceException {
  public SourceChangedException(URI source, String message) {
    super(source, message, null);
  }
}
