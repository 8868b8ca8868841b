package io.segmenttransfer.benchmarks;

import java.nio.ByteBuffer;

/** The bytes of one generated file, produced front to back without holding the file in memory. */
interface SegmentContent {

  /** The file's size in bytes. */
  long size();

  /**
   * Writes the next bytes of the file into {@code dst}, as many as fit and remain.
   *
   * @return the number of bytes written; 0 once the file is complete or {@code dst} is full
   */
  int fill(ByteBuffer dst);

  /**
   * A small file held as an array: {@code index_map}, {@code metadata.properties}, {@code
   * creation.meta}.
   */
  static SegmentContent of(byte[] bytes) {
    return new SegmentContent() {
      private int position;

      @Override
      public long size() {
        return bytes.length;
      }

      @Override
      public int fill(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), bytes.length - position);
        dst.put(bytes, position, n);
        position += n;
        return n;
      }
    };
  }
}
