package io.segmenttransfer.core.error;

/**
 * A change that contradicts the current state: creating a table that exists, uploading a segment
 * another request is uploading. Repeating it unchanged cannot succeed until that state changes.
 */
public final class StateConflictException extends SegmentTransferException {
  public StateConflictException(String subject, String message) {
    super(subject, message, null);
  }
}
