package io.segmenttransfer.core.error;

/**
 * The request itself is wrong before any byte moves: a bad segment or table name, malformed
 * metadata (missing CRC), an unusable data directory or URI.
 */
public final class InvalidRequestException extends SegmentTransferException {
  public InvalidRequestException(String subject, String message) {
    super(subject, message, null);
  }

  public InvalidRequestException(String subject, String message, Throwable cause) {
    super(subject, message, cause);
  }
}
