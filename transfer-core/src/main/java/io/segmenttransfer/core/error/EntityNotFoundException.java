package io.segmenttransfer.core.error;

/**
 * A service has no table, segment or instance by the name a request gave (the controller's "Table x
 * does not exist", a server that does not hold a segment). Unlike {@link SourceNotFoundException}
 * there is no source location: the name itself is unknown.
 */
public final class EntityNotFoundException extends SegmentTransferException {
  public EntityNotFoundException(String subject, String message) {
    super(subject, message, null);
  }
}
