package io.segmenttransfer.pinottools;

import java.io.File;

/** A failure of Pinot's code on one segment, carrying the segment's path into the failure line. */
final class SegmentFailure extends Exception {

  private static final long serialVersionUID = 1L;

  SegmentFailure(File segmentDir, Exception cause) {
    super("segment " + segmentDir, cause);
  }
}
