package io.segmenttransfer.core.archive.codec;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Byte arrays of one parallel stream, handed back once their bytes are used and reused for the next
 * chunks. A chunk's arrays are megabytes each: the JVM places every fresh one on heap memory it has
 * not touched yet (above G1's humongous threshold they get regions of their own), so a page fault
 * and the kernel's zeroing came with every 4 KiB of every chunk, which profiled as a larger cost
 * than the decoding on a 2-core machine. Keeps at most {@code keep} arrays, which bounds what it
 * holds to the stream's chunks in flight; a recycled array is not cleared, so its users track how
 * many bytes are theirs. Thread-safe: the pool's tasks take arrays, the driving thread gives them
 * back.
 */
final class ArrayRecycler {

  private final int keep;
  private final ArrayDeque<byte[]> free = new ArrayDeque<>();

  ArrayRecycler(int keep) {
    this.keep = keep;
  }

  /**
   * An array of at least {@code length} bytes and at most twice that (a much larger one would pin
   * memory a small chunk does not need), fresh when none is free.
   */
  byte[] take(int length) {
    synchronized (free) {
      for (Iterator<byte[]> it = free.iterator(); it.hasNext(); ) {
        byte[] array = it.next();
        if (array.length >= length && array.length / 2 <= length) {
          it.remove();
          return array;
        }
      }
    }
    return new byte[length];
  }

  /** Hands an array back once nothing reads or writes it any more. */
  void give(byte[] array) {
    if (array.length == 0) {
      return;
    }
    synchronized (free) {
      if (free.size() < keep) {
        free.push(array);
      }
    }
  }

  /** Drops every array kept (the stream ended or failed). */
  void clear() {
    synchronized (free) {
      free.clear();
    }
  }
}
