package io.segmenttransfer.controller.sync;

import io.segmenttransfer.core.segment.SegmentId;

/**
 * Told when a segment of a sync run has passed a step, so crash tests can stop the controller at
 * the worst moment (a new archive version written, the metadata not switched yet). Called on the
 * controller's I/O scheduler, where blocking is allowed; production uses {@link #NONE}.
 */
@FunctionalInterface
public interface SyncStepObserver {

  SyncStepObserver NONE = (segment, step) -> {};

  String PROCESSED = "processed";
  String UPLOADED = "uploaded";
  String SWITCHED = "switched";

  /** {@code step}: {@link #PROCESSED}, {@link #UPLOADED} (before the switch), {@link #SWITCHED}. */
  void after(SegmentId segment, String step);
}
