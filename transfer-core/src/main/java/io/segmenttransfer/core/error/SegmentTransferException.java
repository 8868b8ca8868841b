package io.segmenttransfer.core.error;

/**
 * Root of the closed set of failures this project reports. Every message names the segment (or the
 * archive or source when no segment is known yet) and the cause, so one line in a log or on a
 * terminal says what went wrong. Callers branch on the type, never on the message text.
 */
public abstract sealed class SegmentTransferException extends RuntimeException
    permits InvalidArchiveException,
        ArchiveLimitExceededException,
        CrcMismatchException,
        SegmentWriteException,
        CrypterException,
        InvalidRequestException,
        SourceException,
        SourcesExhaustedException,
        SegmentNotReadyException,
        EntityNotFoundException,
        StateConflictException,
        ShuttingDownException {

  private final String subject;

  protected SegmentTransferException(String subject, String message, Throwable cause) {
    super(subject == null ? message : "segment " + subject + ": " + message, cause);
    this.subject = subject;
  }

  /** The segment (or archive) the failure is about; may be null when none was known. */
  public String subject() {
    return subject;
  }

  /** Whether trying the same work again (from the same or another source) may succeed. */
  public boolean isRetryable() {
    return false;
  }
}
