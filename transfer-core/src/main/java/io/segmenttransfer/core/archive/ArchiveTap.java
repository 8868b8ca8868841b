package io.segmenttransfer.core.archive;

import java.nio.ByteBuffer;

/**
 * Receives a copy of every chunk of an archive while it is built, for example a cache of the
 * archives a peer serves. {@link #commit()} is called once the archive is complete, {@link
 * #abort()} when it is not (error or cancel); exactly one of them, once.
 */
public interface ArchiveTap {

  /** A copy of the next chunk; the tap may consume it (advance its position). */
  void write(ByteBuffer chunk);

  void commit();

  void abort();
}
