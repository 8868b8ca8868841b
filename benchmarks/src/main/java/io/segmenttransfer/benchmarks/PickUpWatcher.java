package io.segmenttransfer.benchmarks;

import io.segmenttransfer.core.local.LocalSegment;
import io.segmenttransfer.core.local.SegmentDataDirectory;
import io.segmenttransfer.core.segment.SegmentId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches servers' data directories for the moment each holds a segment with another CRC than the
 * one it had: when a rebuilt copy was swapped in. One plain thread reads each pending segment's
 * {@code creation.meta} (a few hundred bytes) and then sleeps the poll interval, so the watching
 * costs next to nothing of the CPU the run being measured needs; a time is therefore late by up to
 * one interval plus one round of reads.
 */
final class PickUpWatcher implements AutoCloseable {

  /** The minimum interval: anything shorter would compete with the run for the cores. */
  static final Duration MIN_INTERVAL = Duration.ofMillis(20);

  /** A server's rebuilt copy: when it was first seen (epoch millis) and its CRC. */
  record Seen(long atMs, long crc) {}

  private final Map<String, SegmentDataDirectory> servers;
  private final Map<SegmentId, Long> oldCrcs;
  private final Duration interval;
  private final Map<String, Map<SegmentId, Seen>> seen = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean stopped;
  private volatile Throwable failure;

  /**
   * Starts watching.
   *
   * @param servers data directories by server instance id
   * @param oldCrcs the segments to watch, with the CRC their copies hold now
   */
  PickUpWatcher(
      Map<String, SegmentDataDirectory> servers, Map<SegmentId, Long> oldCrcs, Duration interval) {
    if (interval.compareTo(MIN_INTERVAL) < 0) {
      throw new IllegalArgumentException(
          "poll interval " + interval.toMillis() + " ms is under " + MIN_INTERVAL.toMillis());
    }
    this.servers = Map.copyOf(servers);
    this.oldCrcs = Map.copyOf(oldCrcs);
    this.interval = interval;
    servers.keySet().forEach(server -> seen.put(server, new ConcurrentHashMap<>()));
    this.thread = new Thread(this::watch, "pick-up-watcher");
    thread.setDaemon(true);
    thread.start();
  }

  private void watch() {
    try {
      while (!stopped && !allSeen()) {
        for (Map.Entry<String, SegmentDataDirectory> server : servers.entrySet()) {
          Map<SegmentId, Seen> mine = seen.get(server.getKey());
          for (Map.Entry<SegmentId, Long> segment : oldCrcs.entrySet()) {
            if (mine.containsKey(segment.getKey())) {
              continue;
            }
            // Empty while the swap's renames are between the old and the new directory.
            Optional<LocalSegment> local = server.getValue().localSegment(segment.getKey());
            if (local.isPresent() && local.get().crc() != segment.getValue()) {
              mine.put(segment.getKey(), new Seen(System.currentTimeMillis(), local.get().crc()));
            }
          }
        }
        Thread.sleep(interval.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      failure = e;
    }
  }

  private boolean allSeen() {
    return seen.values().stream().allMatch(m -> m.size() == oldCrcs.size());
  }

  /**
   * Waits until every server holds a new copy of every segment; fails naming what is missing after
   * {@code timeout}. Blocking.
   */
  Map<String, Map<SegmentId, Seen>> awaitAll(Duration timeout) throws InterruptedException {
    thread.join(timeout.toMillis());
    if (failure != null) {
      throw new IllegalStateException("watching the servers failed", failure);
    }
    if (!allSeen()) {
      List<String> missing =
          servers.keySet().stream()
              .flatMap(
                  server ->
                      oldCrcs.keySet().stream()
                          .filter(segment -> !seen.get(server).containsKey(segment))
                          .map(segment -> server + "/" + segment.segmentName()))
              .toList();
      throw new IllegalStateException(
          "no rebuilt copy within " + timeout + " on: " + String.join(", ", missing));
    }
    return Map.copyOf(seen);
  }

  @Override
  public void close() {
    stopped = true;
    thread.interrupt();
  }
}
