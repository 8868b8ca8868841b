package io.segmenttransfer.core.segment;

/** {@code segment.realtime.status}: absent means UPLOADED; DONE and UPLOADED are "completed". */
public enum RealtimeStatus {
  IN_PROGRESS,
  COMMITTING,
  DONE,
  UPLOADED;

  public boolean isCompleted() {
    return this == DONE || this == UPLOADED;
  }
}
