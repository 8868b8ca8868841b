package io.segmenttransfer.controller.sync;

/**
 * A processor could not process a segment (non-zero exit, timeout, bad output). Reported as the
 * segment's failure cause; the segment's old copy and metadata stay as they were.
 */
public final class ProcessorFailure extends RuntimeException {

  public ProcessorFailure(String message) {
    super(message);
  }

  public ProcessorFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
