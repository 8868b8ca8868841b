package io.segmenttransfer.controller.sync;

import io.segmenttransfer.controller.api.SyncReport;
import io.segmenttransfer.core.segment.TableNameWithType;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** One run's progress, updated from its segments' threads; read as a {@link SyncReport}. */
final class SyncRun {

  private final String id;
  private final TableNameWithType table;
  private final SyncMode mode;
  private final String processor;
  private final long startedAtMs;
  private final long startedNanos = System.nanoTime();
  private final Sinks.One<SyncReport> finished = Sinks.one();

  private String tableHash = "";
  private String status = SyncReport.RUNNING;
  private int examined;
  private int selected;
  private int done;
  private final List<SyncReport.Skipped> skipped = new ArrayList<>();
  private final List<String> processed = new ArrayList<>();
  private final List<SyncReport.Failed> failed = new ArrayList<>();
  private long bytesBefore;
  private long bytesAfter;
  private @Nullable String message;
  private long durationMs = -1;
  private volatile @Nullable Disposable work;

  SyncRun(String id, TableNameWithType table, SyncMode mode, String processor, long startedAtMs) {
    this.id = id;
    this.table = table;
    this.mode = mode;
    this.processor = processor;
    this.startedAtMs = startedAtMs;
  }

  String id() {
    return id;
  }

  TableNameWithType table() {
    return table;
  }

  synchronized void started(String hash, int examinedCount, int selectedCount) {
    this.tableHash = hash;
    this.examined = examinedCount;
    this.selected = selectedCount;
  }

  synchronized void skipped(String segment, String reason) {
    skipped.add(new SyncReport.Skipped(segment, reason));
  }

  synchronized void processed(String segment, long before, long after) {
    processed.add(segment);
    bytesBefore += before;
    bytesAfter += after;
    done++;
  }

  synchronized void failed(String segment, String cause) {
    failed.add(new SyncReport.Failed(segment, cause));
    done++;
  }

  synchronized void note(String text) {
    message = message == null ? text : message + "; " + text;
  }

  /** Ends the run once: later calls (a cancel racing the end) change nothing. */
  void end(String endStatus) {
    SyncReport report;
    synchronized (this) {
      if (!SyncReport.RUNNING.equals(status)) {
        return;
      }
      status = endStatus;
      durationMs = (System.nanoTime() - startedNanos) / 1_000_000;
      report = report();
    }
    finished.tryEmitValue(report);
  }

  void attach(Disposable disposable) {
    work = disposable;
  }

  /** Cancels the work; the report says CANCELLED with what had ended. */
  void cancel() {
    Disposable running = work;
    end(SyncReport.CANCELLED);
    if (running != null) {
      running.dispose();
    }
  }

  synchronized boolean isRunning() {
    return SyncReport.RUNNING.equals(status);
  }

  /** Emits the final report when the run ends. */
  Mono<SyncReport> whenFinished() {
    return finished.asMono();
  }

  synchronized SyncReport report() {
    long duration = durationMs >= 0 ? durationMs : (System.nanoTime() - startedNanos) / 1_000_000;
    return new SyncReport(
        id,
        table.toString(),
        status,
        mode.label(),
        processor,
        tableHash,
        startedAtMs,
        duration,
        examined,
        selected,
        done,
        skipped,
        processed,
        failed,
        bytesBefore,
        bytesAfter,
        message);
  }
}
