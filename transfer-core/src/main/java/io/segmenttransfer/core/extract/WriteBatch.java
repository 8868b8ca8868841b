package io.segmenttransfer.core.extract;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * What the decoder stage hands to the writer stage: one decoded buffer and the file-system
 * operations the tar entries in it call for. {@link WriteOp.Write} ops are views of {@code buffer};
 * the writer returns the buffer to the pool once every op ran, so a buffer crosses threads once and
 * is never copied.
 */
record WriteBatch(ByteBuffer buffer, List<WriteOp> ops) {

  sealed interface WriteOp {}

  /** Create a directory (and its parents). Path relative to the staging root. */
  record MakeDirectory(String path) implements WriteOp {}

  /** Start a regular file of {@code size} bytes. Path relative to the staging root. */
  record OpenFile(String path, long size) implements WriteOp {}

  /** Append bytes to the open file. */
  record Write(ByteBuffer data) implements WriteOp {}

  /** The open file is complete. */
  record CloseFile() implements WriteOp {}
}
