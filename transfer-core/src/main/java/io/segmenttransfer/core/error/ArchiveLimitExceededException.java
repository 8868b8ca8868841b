package io.segmenttransfer.core.error;

/** The archive went over a configured limit (total bytes, entry count, compression ratio). */
public final class ArchiveLimitExceededException extends SegmentTransferException {
  public ArchiveLimitExceededException(String subject, String message) {
    super(subject, message, null);
  }
}
