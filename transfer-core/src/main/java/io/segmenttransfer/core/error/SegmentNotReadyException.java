package io.segmenttransfer.core.error;

/**
 * The segment cannot be downloaded in its current state: still consuming (IN_PROGRESS), or
 * COMMITTING for longer than the configured wait.
 */
public final class SegmentNotReadyException extends SegmentTransferException {
  public SegmentNotReadyException(String subject, String message) {
    super(subject, message, null);
  }
}
