package io.segmenttransfer.core.archive;

import java.nio.ByteBuffer;

/**
 * Receives the entries of a tar stream from {@link TarDecoder}, in archive order. Paths are
 * relative, normalised, {@code /}-separated, without a trailing slash, and already checked not to
 * escape the extraction root.
 */
public interface TarEntryListener {

  /** A directory entry. */
  void directory(String path);

  /** A regular file of {@code size} bytes begins; its data follows in {@link #fileData} calls. */
  void fileStart(String path, long size);

  /**
   * The next bytes of the current file. The buffer is a view of the decoder's input, valid only
   * during this call: copy or consume it before returning.
   */
  void fileData(ByteBuffer data);

  /** The current file's data is complete ({@code size} bytes were passed to {@link #fileData}). */
  void fileEnd();
}
