package io.segmenttransfer.core.archive.codec;

import java.util.concurrent.Executor;

/**
 * How one archive stream uses the cores in the parallel layouts (zstd as independent frames, gzip
 * as one member of independent chunks).
 *
 * @param threads chunks of this stream compressed or decompressed at once
 * @param chunkSize uncompressed bytes per chunk (frame) when writing; part of the bytes written, so
 *     every writer that must produce the same archive for the same files uses the same value; a
 *     reader takes it from the archive
 * @param chunksInFlight chunks this stream holds at once (being worked on or waiting to be handed
 *     out in order): memory is about {@code chunksInFlight * 2 * chunkSize}
 * @param pool where the work runs: {@link CodecPool#shared()} unless a caller sets its own
 */
public record ParallelSettings(int threads, int chunkSize, int chunksInFlight, Executor pool) {

  /** 4 MiB: big enough that per-chunk overhead and lost matches stay well under 1% of the size. */
  public static final int DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;

  /** Writers' smallest chunk: smaller ones cost zstd ratio and give the reader too many tasks. */
  public static final int MIN_CHUNK_SIZE = 64 * 1024;

  /**
   * The largest chunk a reader decodes in parallel (it allocates a whole chunk's output at once);
   * an archive with larger frames is read by the serial decoder.
   */
  public static final int MAX_CHUNK_SIZE = 32 * 1024 * 1024;

  public ParallelSettings {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, was " + threads);
    }
    if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
      throw new IllegalArgumentException(
          "chunkSize must be within "
              + MIN_CHUNK_SIZE
              + ".."
              + MAX_CHUNK_SIZE
              + ", was "
              + chunkSize);
    }
    if (chunksInFlight < threads) {
      throw new IllegalArgumentException(
          "chunksInFlight (" + chunksInFlight + ") must be at least threads (" + threads + ")");
    }
    if (pool == null) {
      throw new IllegalArgumentException("pool must be set");
    }
  }

  /** One thread per core on the shared pool, 4 MiB chunks, two chunks in flight per thread. */
  public static ParallelSettings defaults() {
    return ofThreads(Runtime.getRuntime().availableProcessors());
  }

  /** {@code threads} at once on the shared pool, default chunks, two in flight per thread. */
  public static ParallelSettings ofThreads(int threads) {
    return new ParallelSettings(threads, DEFAULT_CHUNK_SIZE, 2 * threads, CodecPool.shared());
  }

  public ParallelSettings withChunkSize(int size) {
    return new ParallelSettings(threads, size, chunksInFlight, pool);
  }

  public ParallelSettings withPool(Executor newPool) {
    return new ParallelSettings(threads, chunkSize, chunksInFlight, newPool);
  }
}
