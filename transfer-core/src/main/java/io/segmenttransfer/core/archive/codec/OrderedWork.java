package io.segmenttransfer.core.archive.codec;

import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.error.SegmentTransferException;
import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * The chunks of one stream being compressed or decompressed on a pool, handed back in the order
 * they were given: at most {@code limit} held at once (running, queued or done and not yet taken),
 * which is what bounds the stream's memory. Used by one thread, the one driving the transform; the
 * pool's threads only run the tasks.
 */
final class OrderedWork<T> {

  private final String subject;
  private final Executor executor;
  private final int limit;
  private final ArrayDeque<CompletableFuture<T>> queue = new ArrayDeque<>();

  OrderedWork(String subject, ParallelSettings settings) {
    this.subject = subject;
    this.executor = CodecPool.limited(settings.pool(), settings.threads());
    this.limit = settings.chunksInFlight();
  }

  /** True when no more work may be given until the oldest is taken. */
  boolean full() {
    return queue.size() >= limit;
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  /** True when the oldest work is finished, so {@link #take} will not wait. */
  boolean headDone() {
    CompletableFuture<T> head = queue.peek();
    return head != null && head.isDone();
  }

  void submit(Supplier<T> task) {
    if (full()) {
      throw new IllegalStateException("more than " + limit + " chunks in flight");
    }
    queue.add(CompletableFuture.supplyAsync(task, executor));
  }

  /**
   * The oldest work's result, waiting for it if need be (the driving thread is a worker that may
   * block: the pipeline's decoder worker or the archive writer's). A task's failure is thrown as it
   * was raised, when it is one of the project's exceptions.
   */
  T take() {
    CompletableFuture<T> head = queue.poll();
    if (head == null) {
      throw new IllegalStateException("no chunk in flight");
    }
    try {
      return head.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancel();
      throw new InvalidArchiveException(subject, "interrupted while waiting for a chunk", e);
    } catch (ExecutionException | CancellationException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      if (cause instanceof SegmentTransferException failure) {
        throw failure;
      }
      throw new InvalidArchiveException(subject, "chunk failed: " + cause, cause);
    }
  }

  /** Drops every chunk: tasks not started never run; running ones finish and are forgotten. */
  void cancel() {
    CompletableFuture<T> f;
    while ((f = queue.poll()) != null) {
      f.cancel(false);
    }
  }
}
