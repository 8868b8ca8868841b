package io.segmenttransfer.server.cli;

import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.transfer.TransferEvent;
import io.segmenttransfer.core.transfer.TransferListener;
import io.segmenttransfer.server.daemon.SourceKind;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import reactor.core.publisher.Mono;

/**
 * Shows a bootstrap as it runs, from its {@link TransferEvent}s: on a terminal a progress bar of
 * archive bytes (total, rate, ETA) with a line per finished segment above it; elsewhere just the
 * lines; nothing with {@code --json}.
 *
 * <p>Events arrive on transfer threads, which must not block: they only add to the bar's counter
 * (an atomic add; the bar renders on its own thread) and queue the segment lines. The command's
 * thread prints the lines in {@link #await(Mono)} while it waits for the bootstrap anyway.
 */
final class BootstrapProgress implements TransferListener, AutoCloseable {

  enum Mode {
    /** A progress bar and lines: stdout is a terminal. */
    BAR,
    /** One line per segment. */
    LINES,
    /** Nothing: the summary is all (JSON). */
    QUIET;

    static Mode of(boolean json) {
      return json ? QUIET : System.console() != null ? BAR : LINES;
    }
  }

  /** Clears the terminal line the progress bar is drawn on, so a segment line replaces it. */
  private static final String CLEAR_LINE = "\r\u001b[K";

  private final Mode mode;
  private final PrintWriter out;
  private final String indent;
  private final ProgressBar bar;
  private final Map<SegmentId, AtomicLong> received = new ConcurrentHashMap<>();
  private final Map<SegmentId, Set<String>> sourceKinds = new ConcurrentHashMap<>();

  /** Lock-free, so adding a line never parks a transfer thread. */
  private final Queue<String> lines = new ConcurrentLinkedQueue<>();

  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * @param totalArchiveBytes what the bar counts up to (the segments' archive sizes); 0 or less
   *     when unknown, for a bar without an end
   * @param indent put before every segment line
   */
  BootstrapProgress(
      Mode mode, PrintWriter out, String task, long totalArchiveBytes, String indent) {
    this.mode = mode;
    this.out = out;
    this.indent = indent;
    this.bar =
        mode != Mode.BAR
            ? null
            : new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(totalArchiveBytes > 0 ? totalArchiveBytes : -1)
                .setUnit("MB", 1_000_000)
                .showSpeed()
                .setUpdateIntervalMillis(200)
                // Redrawn in place with a carriage return on stdout (a terminal in this mode): a
                // segment
                // line printed over it pushes it down. The interactive consumer would move the
                // cursor up
                // and overwrite the segment line instead.
                .setConsumer(new ConsoleProgressBarConsumer(System.out))
                .build();
  }

  @Override
  public void on(TransferEvent event) {
    if (event instanceof TransferEvent.AttemptStarted started) {
      // A resumed attempt counts on from its offset; a restarted one from 0 again.
      received.computeIfAbsent(started.segment(), s -> new AtomicLong()).set(started.offset());
    } else if (event instanceof TransferEvent.Progress progress) {
      long last =
          received
              .computeIfAbsent(progress.segment(), s -> new AtomicLong())
              .getAndSet(progress.bytesDone());
      long delta = progress.bytesDone() - last;
      if (delta > 0) {
        sourceKinds
            .computeIfAbsent(progress.segment(), s -> ConcurrentHashMap.newKeySet())
            .add(SourceKind.of(progress.source()));
        if (bar != null) {
          bar.stepBy(delta);
        }
      }
    } else if (event instanceof TransferEvent.Finished finished && mode != Mode.QUIET) {
      received.remove(finished.segment());
      Set<String> kinds = sourceKinds.remove(finished.segment());
      lines.add(line(finished, kinds));
    }
  }

  private String line(TransferEvent.Finished finished, Set<String> kinds) {
    String name = finished.segment().segmentName();
    if (finished.error() != null) {
      return String.format(
          "%sfailed %s after %d ms: %s",
          indent, name, finished.duration().toMillis(), BootstrapSummary.oneLine(finished.error()));
    }
    String from =
        kinds == null || kinds.isEmpty()
            ? "the local copy"
            : String.join(" + ", new TreeSet<>(kinds));
    return String.format(
        "%s%s %s %,d bytes %d ms from %s",
        indent, finished.action(), name, finished.bytes(), finished.duration().toMillis(), from);
  }

  /**
   * Waits for {@code work} on the calling (command) thread, printing segment lines as they come,
   * and returns its value or throws its error. Interrupting the thread cancels the work.
   */
  <T> T await(Mono<T> work) throws InterruptedException {
    CompletableFuture<T> done = work.toFuture();
    try {
      while (true) {
        printLines();
        try {
          T value = done.get(50, TimeUnit.MILLISECONDS);
          printLines();
          return value;
        } catch (TimeoutException stillRunning) {
          // print what arrived meanwhile, then wait again
        }
      }
    } catch (InterruptedException e) {
      done.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      close();
    }
  }

  private void printLines() {
    for (String line = lines.poll(); line != null; line = lines.poll()) {
      out.println(mode == Mode.BAR ? CLEAR_LINE + line : line);
    }
    out.flush();
  }

  /** Ends the bar (drawn complete as it stands); the summary follows below it. */
  @Override
  public void close() {
    if (bar != null && closed.compareAndSet(false, true)) {
      bar.close();
    }
  }
}
