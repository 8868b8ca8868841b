package io.segmenttransfer.core.error;

/**
 * The archive bytes are not a valid, safe segment archive: corrupt or truncated compression,
 * truncated or malformed tar, an entry that escapes the segment directory, or an entry type we
 * refuse (links, devices). Retrying the same bytes cannot help; another source might.
 */
public final class InvalidArchiveException extends SegmentTransferException {
  public InvalidArchiveException(String subject, String message) {
    super(subject, message, null);
  }

  public InvalidArchiveException(String subject, String message, Throwable cause) {
    super(subject, message, cause);
  }
}
