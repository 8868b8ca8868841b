package io.segmenttransfer.core.error;

/** The local file system refused a write, rename or delete (disk full, permissions, I/O error). */
public final class SegmentWriteException extends SegmentTransferException {
  public SegmentWriteException(String subject, String message, Throwable cause) {
    super(subject, message, cause);
  }
}
