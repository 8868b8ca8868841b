package io.segmenttransfer.server.daemon;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.segmenttransfer.core.transfer.TransferEvent;
import io.segmenttransfer.core.transfer.TransferListener;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns transfer events into Prometheus metrics: archive bytes received and attempts by source
 * kind, failures by cause, operations by outcome with their duration, transfers in flight. Sources
 * are tagged by kind (deepstore-file, deepstore-s3, peer, ...), never by URL, so the number of
 * series stays bounded.
 */
public final class TransferMetrics implements TransferListener {

  private final MeterRegistry registry;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<String, AtomicLong> lastProgress = new ConcurrentHashMap<>();

  public TransferMetrics(MeterRegistry registry) {
    this.registry = registry;
    registry.gauge("segment_transfers_in_flight", inFlight);
  }

  @Override
  public void on(TransferEvent event) {
    if (event instanceof TransferEvent.AttemptStarted started) {
      Counter.builder("segment_transfer_attempts")
          .description("Source attempts started")
          .tag("source", kind(started.source()))
          .register(registry)
          .increment();
      if (started.attempt() == 1 && started.offset() == 0) {
        inFlight.incrementAndGet();
      }
      lastProgress.put(key(event), new AtomicLong(started.offset()));
    } else if (event instanceof TransferEvent.Progress progress) {
      AtomicLong last = lastProgress.computeIfAbsent(key(event), k -> new AtomicLong());
      long delta = progress.bytesDone() - last.getAndSet(progress.bytesDone());
      if (delta > 0) {
        Counter.builder("segment_transfer_bytes")
            .description("Archive bytes received")
            .baseUnit("bytes")
            .tag("source", kind(progress.source()))
            .register(registry)
            .increment(delta);
      }
    } else if (event instanceof TransferEvent.AttemptFailed failed) {
      Counter.builder("segment_transfer_failures")
          .description("Failed attempts by cause")
          .tag("source", kind(failed.source()))
          .tag("cause", failed.cause().getClass().getSimpleName())
          .register(registry)
          .increment();
    } else if (event instanceof TransferEvent.Finished finished) {
      lastProgress.remove(key(event));
      if (finished.attempts() > 0 || finished.error() != null) {
        inFlight.updateAndGet(n -> Math.max(0, n - 1));
      }
      Timer.builder("segment_operations")
          .description("Segment operations by outcome")
          .tag("operation", finished.operation())
          .tag("outcome", finished.action())
          .register(registry)
          .record(finished.duration());
      if (finished.bytes() > 0) {
        Counter.builder("segment_bytes_written")
            .baseUnit("bytes")
            .register(registry)
            .increment(finished.bytes());
      }
      if (finished.error() != null) {
        Counter.builder("segment_operation_failures")
            .tag("cause", finished.error().getClass().getSimpleName())
            .register(registry)
            .increment();
      }
    }
  }

  private static String key(TransferEvent event) {
    return event.segment().toString();
  }

  /** The source's kind (see {@link SourceKind}): a bounded set of tag values. */
  static String kind(URI source) {
    return SourceKind.of(source);
  }
}
