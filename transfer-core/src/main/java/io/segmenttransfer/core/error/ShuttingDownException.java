package io.segmenttransfer.core.error;

/**
 * The service is stopping and takes no more work; requests already queued are refused with this
 * too, so no caller is left waiting. The same request may succeed once the service runs again.
 */
public final class ShuttingDownException extends SegmentTransferException {
  public ShuttingDownException(String message) {
    super(null, message, null);
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
