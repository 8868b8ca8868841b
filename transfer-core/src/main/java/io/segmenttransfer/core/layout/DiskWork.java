package io.segmenttransfer.core.layout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.util.Logger;
import reactor.util.Loggers;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * The file-system work of one operation, counted so that the operation can tell when all of it has
 * stopped, cancel included.
 *
 * <p>Reactor's cancel is fire-and-forget: {@code usingWhen} starts its cancel cleanup and returns,
 * and a blocking call already running on a worker goes on after its subscriber is gone (and {@code
 * fromCallable(...).subscribeOn(...)} drops, without any discard, a value produced after the
 * cancel: a staging directory or backup made just then would never be cleaned up). Here every piece
 * of work is counted from subscription until it has really stopped: a blocking call until it
 * returned, a resource (staging directory, backup) until it was released. The owner of an operation
 * puts a {@code DiskWork} in the context ({@link #putIn}) and waits for {@link #whenIdle()} before
 * it reports the operation over. Waiting blocks no thread. Without one in the context the work is
 * done just the same, uncounted.
 */
public final class DiskWork {

  private static final Object KEY = DiskWork.class;
  private static final Logger LOG = Loggers.getLogger(DiskWork.class);

  private int running;
  private final List<Runnable> idleWaiters = new ArrayList<>();

  /** The context's {@code DiskWork}, or a fresh one nobody waits for. */
  public static DiskWork of(ContextView context) {
    return context.getOrDefault(KEY, new DiskWork());
  }

  /** The context with this {@code DiskWork} counting the work subscribed under it. */
  public Context putIn(Context context) {
    return context.put(KEY, this);
  }

  /** Pieces of work not yet stopped. */
  public synchronized int running() {
    return running;
  }

  /** Completes once no work is running: at once when none is. */
  public Mono<Void> whenIdle() {
    return Mono.create(
        sink -> {
          boolean idle;
          synchronized (this) {
            idle = running == 0;
            if (!idle) {
              idleWaiters.add(sink::success);
            }
          }
          if (idle) {
            sink.success();
          }
        });
  }

  synchronized void begin() {
    running++;
  }

  void end() {
    List<Runnable> waiters;
    synchronized (this) {
      if (--running > 0) {
        return;
      }
      waiters = List.copyOf(idleWaiters);
      idleWaiters.clear();
    }
    waiters.forEach(Runnable::run);
  }

  /** Blocking work that throws anything. */
  @FunctionalInterface
  public interface Work<T> {
    T call() throws Exception;
  }

  private static final int SCHEDULED = 0;
  private static final int RUNNING = 1;
  private static final int CANCELLED = 2;
  private static final int DONE = 3;

  /**
   * Runs {@code work} on the scheduler, counted in the context's {@code DiskWork} from subscription
   * until it returned (or was skipped, when cancelled before it started). A cancel never interrupts
   * it; a value it returns after the cancel goes to {@code dropped}, on the same worker, before the
   * work counts as stopped.
   */
  public static <T> Mono<T> blocking(
      Scheduler scheduler, Work<T> work, Consumer<? super T> dropped) {
    return Mono.deferContextual(
        context -> {
          DiskWork counted = of(context);
          counted.begin();
          return onWorker(scheduler, work, dropped, counted::end);
        });
  }

  /** {@link #blocking(Scheduler, Work, Consumer)} for work whose result needs no undoing. */
  public static <T> Mono<T> blocking(Scheduler scheduler, Work<T> work) {
    return blocking(scheduler, work, value -> {});
  }

  /**
   * Runs {@code work} once on a worker whatever the subscriber does: skipped only when cancelled
   * before it started. {@code stopped} runs exactly once, after the work returned, failed or was
   * skipped, and after a value returned too late went to {@code dropped}.
   */
  private static <T> Mono<T> onWorker(
      Scheduler scheduler, Work<T> work, Consumer<? super T> dropped, Runnable stopped) {
    return Mono.<T>create(
            sink -> {
              AtomicInteger state = new AtomicInteger(SCHEDULED);
              sink.onCancel(
                  () -> {
                    if (state.compareAndSet(SCHEDULED, CANCELLED)) {
                      stopped.run();
                    } else {
                      // Running: the worker sees the cancel once the work returns.
                      state.compareAndSet(RUNNING, CANCELLED);
                    }
                  });
              Runnable task =
                  () -> {
                    if (!state.compareAndSet(SCHEDULED, RUNNING)) {
                      return;
                    }
                    try {
                      T value;
                      try {
                        value = work.call();
                      } catch (Throwable e) {
                        if (state.compareAndSet(RUNNING, DONE)) {
                          sink.error(e);
                        }
                        return;
                      }
                      if (state.compareAndSet(RUNNING, DONE)) {
                        // A cancel racing this hand-over makes the sink discard the value: the hook
                        // below takes it.
                        sink.success(value);
                      } else if (value != null) {
                        dropped.accept(value);
                      }
                    } finally {
                      stopped.run();
                    }
                  };
              // A disposed scheduler is refused here, before any of its executors is touched.
              if (scheduler.isDisposed()) {
                refuse(state, stopped, sink, new RejectedExecutionException("scheduler disposed"));
                return;
              }
              try {
                scheduler.schedule(task);
              } catch (RejectedExecutionException e) {
                refuse(state, stopped, sink, e);
              }
            })
        .doOnDiscard(
            Object.class,
            value -> {
              @SuppressWarnings("unchecked")
              T lost = (T) value;
              dropped.accept(lost);
            });
  }

  /** Fails work that will never run, unless it already started or was cancelled. */
  private static void refuse(
      AtomicInteger state, Runnable stopped, MonoSink<?> sink, RejectedExecutionException e) {
    if (state.compareAndSet(SCHEDULED, DONE)) {
      stopped.run();
      sink.error(e);
    }
  }

  /**
   * {@code Mono.usingWhen} for a resource made on disk by blocking work (a staging directory, a
   * backup), released on success, error and cancel alike, and counted in the context's {@code
   * DiskWork} from subscription until it was released:
   *
   * <ul>
   *   <li>{@code acquire} runs on the scheduler and is never abandoned: a resource it makes after a
   *       cancel is rolled back. When it throws, it must leave nothing behind;
   *   <li>{@code use} runs with a {@code DiskWork} of its own in its context, and the resource is
   *       released only once that one is idle, so the release never races work still running on the
   *       resource (a blocking call, a nested resource's own cleanup), even after a cancel;
   *   <li>the resource is released once: by {@code commit} after {@code use} succeeded, by {@code
   *       rollback} otherwise.
   * </ul>
   */
  public static <R, T> Mono<T> using(
      Scheduler scheduler,
      Work<R> acquire,
      Function<R, Mono<T>> use,
      Function<R, Mono<Void>> commit,
      Function<R, Mono<Void>> rollback) {
    return Mono.deferContextual(
        context -> {
          DiskWork counted = of(context);
          DiskWork inner = new DiskWork();
          Release release = new Release(counted);
          counted.begin();
          // Until acquire delivers, the count is held by the acquisition itself: it ends there when
          // nothing was made (skipped, failed) and after the rollback of a resource made too late.
          AtomicInteger delivered = new AtomicInteger();
          Mono<R> acquired =
              onWorker(
                      scheduler,
                      acquire,
                      resource -> release.now(rollback.apply(resource)),
                      () -> {
                        if (delivered.get() == 0) {
                          release.now(Mono.empty());
                        }
                      })
                  .doOnNext(resource -> delivered.set(1));
          return Mono.usingWhen(
              acquired,
              resource -> use.apply(resource).contextWrite(inner::putIn),
              resource ->
                  release.once(
                      () -> inner.whenIdle().then(Mono.defer(() -> commit.apply(resource)))),
              (resource, error) ->
                  release.once(
                      () -> inner.whenIdle().then(Mono.defer(() -> rollback.apply(resource)))),
              resource ->
                  release.once(
                      () -> inner.whenIdle().then(Mono.defer(() -> rollback.apply(resource)))));
        });
  }

  /**
   * Ends a resource's count once, after the first release that gets there; later callers join it.
   */
  private static final class Release {
    private final DiskWork counted;
    private final AtomicReference<@Nullable Mono<Void>> first = new AtomicReference<>();

    Release(DiskWork counted) {
      this.counted = counted;
    }

    Mono<Void> once(Supplier<? extends Mono<Void>> how) {
      return Mono.defer(
          () -> {
            Mono<Void> mine = Mono.defer(how).doFinally(signal -> counted.end()).cache();
            return first.compareAndSet(null, mine) ? mine : first.get();
          });
    }

    /** Releases from a worker, with no subscriber to tell of a failure. */
    void now(Mono<Void> how) {
      once(() -> how)
          .subscribe(null, e -> LOG.warn("Could not release a resource after a cancel", e));
    }
  }
}
