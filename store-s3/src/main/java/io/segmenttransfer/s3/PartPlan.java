package io.segmenttransfer.s3;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The byte ranges ("parts") one ranged read fetches, decided one at a time, in order, as each part
 * gets its turn to start rather than all at once: a part's size can then follow what the read has
 * seen so far. Part 0 is the first GET's range; every later part is {@code partSize} bytes, or
 * twice the one before it (up to {@link #MAX_GROWTH} times {@code partSize}) when the caller says
 * the source is outpacing the consumer. Fewer, larger GETs then serve a fast source (on loopback
 * each ranged GET cost the client about 5 ms of CPU, most of it the SDK's presigning, and S3Proxy
 * about 2.5 ms: a 57 MiB archive read as 8 MiB parts against one GET, measured), while a slow one
 * keeps the configured size that lets the read widen.
 */
final class PartPlan {

  /**
   * A part grows to at most this many times the configured part size: what the read's prefetch
   * holds ({@link RangedGetReader#prefetch}), so a grown part behind the one being consumed still
   * finishes downloading while it waits, as a part of the configured size does, and never holds a
   * paused connection (which the read timeout would cut).
   */
  static final int MAX_GROWTH = 2;

  private final long end;
  private final long partSize;
  private final List<RangedGetReader.Part> parts = new ArrayList<>();
  private int ended;

  /**
   * @param head part 0, the first GET's range
   * @param end the object's size: the last part ends there
   * @param partSize the configured part size
   */
  PartPlan(RangedGetReader.Part head, long end, long partSize) {
    this.end = end;
    this.partSize = partSize;
    parts.add(head);
  }

  /**
   * Part {@code index}, deciding it (and any before it not yet decided) now: larger than the one
   * before when {@code grow}. Null when the object ends before it.
   */
  synchronized RangedGetReader.@Nullable Part part(int index, boolean grow) {
    while (parts.size() <= index) {
      RangedGetReader.Part last = parts.get(parts.size() - 1);
      if (last.end() >= end) {
        return null;
      }
      long size = grow ? Math.min(MAX_GROWTH * partSize, 2 * last.length()) : partSize;
      size = Math.max(size, partSize);
      parts.add(new RangedGetReader.Part(last.end(), Math.min(end, last.end() + size)));
    }
    return parts.get(index);
  }

  /** Whether the parts decided so far reach the end: no later part has bytes. */
  synchronized boolean complete() {
    return parts.get(parts.size() - 1).end() >= end;
  }

  /**
   * How many parts, from part 0, end at or before {@code position}: delivered in full once the read
   * has delivered everything before {@code position}. Positions only grow.
   */
  synchronized int endingBy(long position) {
    while (ended < parts.size() && parts.get(ended).end() <= position) {
      ended++;
    }
    return ended;
  }

  /** Whether part {@code index} is known to hold no bytes: the parts before it reach the end. */
  synchronized boolean beyondEnd(int index) {
    return index >= parts.size() && complete();
  }
}
