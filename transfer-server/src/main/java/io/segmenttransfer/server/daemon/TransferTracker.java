package io.segmenttransfer.server.daemon;

import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.transfer.TransferEvent;
import io.segmenttransfer.core.transfer.TransferListener;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Each segment transfer of this server, from the transfer events the data directory already emits:
 * the ones in flight and the most recent finished ones (bounded), as {@code GET /transfers} lists
 * them (like Elasticsearch's {@code _cat/recovery} or ClickHouse's {@code
 * system.replicated_fetches}), and per-table totals for the bootstrap's progress lines.
 *
 * <p>A listener: called on transfer threads, it only updates concurrent maps and never blocks.
 * Operations that transfer nothing (a copy kept because its CRC matches, a removal) are not
 * transfers and are not listed, unless they failed.
 */
public final class TransferTracker implements TransferListener {

  /** Finished transfers kept for {@code GET /transfers}. */
  public static final int DEFAULT_HISTORY = 200;

  /** One transfer as listed. */
  public record Transfer(
      String table,
      String segment,
      String state,
      String source,
      long bytesDone,
      long bytesTotal,
      long bytesPerSecond,
      int retries,
      long elapsedMillis,
      @Nullable String outcome,
      @Nullable String error) {}

  /** A table's totals since this server started: finished transfers and bytes received. */
  public record TableTotals(int inFlight, int finished, int failed, long bytes) {}

  private final Clock clock;
  private final int historySize;
  private final Map<SegmentId, Running> running = new ConcurrentHashMap<>();
  private final ConcurrentLinkedDeque<Transfer> history = new ConcurrentLinkedDeque<>();
  private final AtomicInteger historyCount = new AtomicInteger();
  private final Map<TableNameWithType, Totals> totals = new ConcurrentHashMap<>();

  public TransferTracker(Clock clock, int historySize) {
    this.clock = clock;
    this.historySize = historySize;
  }

  /** A transfer in flight; its fields change on transfer threads, read by the HTTP thread. */
  private static final class Running {
    final Instant started;
    volatile URI source;
    volatile long bytesDone;
    volatile long bytesTotal = -1;
    volatile int retries;
    volatile @Nullable String lastError;

    Running(Instant started, URI source) {
      this.started = started;
      this.source = source;
    }
  }

  private static final class Totals {
    final AtomicInteger finished = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final java.util.concurrent.atomic.AtomicLong bytes =
        new java.util.concurrent.atomic.AtomicLong();
  }

  @Override
  public void on(TransferEvent event) {
    if (event instanceof TransferEvent.AttemptStarted started) {
      Running transfer =
          running.computeIfAbsent(
              started.segment(), s -> new Running(clock.instant(), started.source()));
      transfer.source = started.source();
    } else if (event instanceof TransferEvent.Progress progress) {
      Running transfer = running.get(progress.segment());
      if (transfer != null) {
        transfer.source = progress.source();
        transfer.bytesDone = progress.bytesDone();
        transfer.bytesTotal = progress.bytesTotal();
      }
    } else if (event instanceof TransferEvent.AttemptFailed failed) {
      Running transfer = running.get(failed.segment());
      if (transfer != null) {
        transfer.retries++;
        transfer.lastError = String.valueOf(failed.cause().getMessage());
      }
    } else if (event instanceof TransferEvent.Finished finished) {
      Running transfer = running.remove(finished.segment());
      if (transfer == null && finished.error() == null) {
        return; // kept, recovered or removed: nothing was transferred
      }
      Totals table = totals.computeIfAbsent(finished.segment().table(), t -> new Totals());
      (finished.error() == null ? table.finished : table.failed).incrementAndGet();
      long bytes = transfer == null ? 0 : transfer.bytesDone;
      table.bytes.addAndGet(bytes);
      Duration elapsed =
          transfer == null
              ? finished.duration()
              : Duration.between(transfer.started, clock.instant());
      remember(
          new Transfer(
              finished.segment().table().toString(),
              finished.segment().segmentName(),
              "finished",
              transfer == null ? "" : describe(transfer.source),
              bytes,
              transfer == null ? -1 : transfer.bytesTotal,
              rate(bytes, elapsed),
              Math.max(0, finished.attempts() - 1),
              elapsed.toMillis(),
              finished.action(),
              finished.error() == null ? null : String.valueOf(finished.error().getMessage())));
    }
  }

  private void remember(Transfer done) {
    history.addFirst(done);
    if (historyCount.incrementAndGet() > historySize) {
      history.pollLast();
      historyCount.decrementAndGet();
    }
  }

  /** In-flight transfers (oldest first), then finished ones (newest first). */
  public List<Transfer> list() {
    Instant now = clock.instant();
    List<Transfer> all = new ArrayList<>();
    running.entrySet().stream()
        .sorted(Comparator.comparing(e -> e.getValue().started))
        .forEach(
            e -> {
              Running t = e.getValue();
              Duration elapsed = Duration.between(t.started, now);
              all.add(
                  new Transfer(
                      e.getKey().table().toString(),
                      e.getKey().segmentName(),
                      "in-flight",
                      describe(t.source),
                      t.bytesDone,
                      t.bytesTotal,
                      rate(t.bytesDone, elapsed),
                      t.retries,
                      elapsed.toMillis(),
                      null,
                      t.lastError));
            });
    Iterator<Transfer> finished = history.iterator();
    while (finished.hasNext()) {
      all.add(finished.next());
    }
    return all;
  }

  /** Per table: transfers in flight, finished and failed since the start, bytes received. */
  public Map<TableNameWithType, TableTotals> tables() {
    Map<TableNameWithType, TableTotals> result =
        new TreeMap<>(Comparator.comparing(TableNameWithType::toString));
    Map<TableNameWithType, Integer> inFlight = new java.util.HashMap<>();
    running.keySet().forEach(s -> inFlight.merge(s.table(), 1, Integer::sum));
    java.util.Set<TableNameWithType> names = new java.util.HashSet<>(totals.keySet());
    names.addAll(inFlight.keySet());
    for (TableNameWithType table : names) {
      Totals t = totals.get(table);
      long runningBytes =
          running.entrySet().stream()
              .filter(e -> e.getKey().table().equals(table))
              .mapToLong(e -> e.getValue().bytesDone)
              .sum();
      result.put(
          table,
          new TableTotals(
              inFlight.getOrDefault(table, 0),
              t == null ? 0 : t.finished.get(),
              t == null ? 0 : t.failed.get(),
              (t == null ? 0 : t.bytes.get()) + runningBytes));
    }
    return result;
  }

  /** Where the bytes come from, for a person: the deep store's kind, or which peer. */
  static String describe(URI source) {
    String kind = SourceKind.of(source);
    return kind.equals(SourceKind.PEER)
        ? "peer " + source.getHost() + ":" + source.getPort()
        : kind;
  }

  private static long rate(long bytes, Duration elapsed) {
    long millis = Math.max(1, elapsed.toMillis());
    return bytes * 1000 / millis;
  }

  /** The list as a fixed-width table, for {@code ?format=text}. */
  public static String text(List<Transfer> transfers) {
    StringBuilder out = new StringBuilder();
    String format = "%-24s %-40s %-9s %-22s %12s %12s %10s %7s %9s  %s%n";
    out.append(
        String.format(
            format,
            "table",
            "segment",
            "state",
            "source",
            "bytes_done",
            "bytes_total",
            "MB/s",
            "retries",
            "elapsed",
            "outcome"));
    for (Transfer t : transfers) {
      out.append(
          String.format(
              format,
              t.table(),
              t.segment(),
              t.state(),
              t.source(),
              t.bytesDone(),
              t.bytesTotal() < 0 ? "?" : Long.toString(t.bytesTotal()),
              String.format("%.1f", t.bytesPerSecond() / 1e6),
              t.retries(),
              String.format("%.1fs", t.elapsedMillis() / 1000.0),
              t.error() != null
                  ? (t.outcome() == null ? "retrying: " : t.outcome() + ": ") + t.error()
                  : t.outcome() == null ? "" : t.outcome()));
    }
    return out.toString();
  }
}
