package io.segmenttransfer.core.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.store.ReadBuffers;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

class ChunkCoalescerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** An item that counts holds and releases, standing in for a reference-counted network buffer. */
  private static final class Counted {
    final ByteBuffer bytes;
    final AtomicInteger refs = new AtomicInteger(1);

    Counted(byte[] bytes) {
      this.bytes = ByteBuffer.wrap(bytes);
    }
  }

  /** Holds and releases like a Netty ByteBuf: the producer drops its own reference after onNext. */
  private static final class CountingAdapter implements ChunkCoalescer.Adapter<Counted> {
    final AtomicLong holds = new AtomicLong();
    final AtomicLong releases = new AtomicLong();

    @Override
    public Counted hold(Counted item) {
      holds.incrementAndGet();
      item.refs.incrementAndGet();
      return item;
    }

    @Override
    public int remaining(Counted item) {
      assertThat(item.refs.get()).as("copied from a released item").isPositive();
      return item.bytes.remaining();
    }

    @Override
    public void copyTo(Counted item, ByteBuffer target) {
      ChunkCoalescer.BYTE_BUFFERS.copyTo(item.bytes, target);
    }

    @Override
    public void release(Counted item) {
      releases.incrementAndGet();
      assertThat(item.refs.decrementAndGet()).as("released twice").isGreaterThanOrEqualTo(0);
    }
  }

  /** Emits items and drops the producer's reference once onNext returned, as reactor-netty does. */
  private static Flux<Counted> produced(List<byte[]> items) {
    return Flux.fromIterable(items)
        .map(Counted::new)
        .concatMap(c -> Mono.just(c).doFinally(signal -> c.refs.decrementAndGet()), 1);
  }

  private static byte[] randomBytes(Random random, int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] concat(List<ByteBuffer> chunks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (ByteBuffer chunk : chunks) {
      byte[] b = new byte[chunk.remaining()];
      chunk.duplicate().get(b);
      out.writeBytes(b);
    }
    return out.toByteArray();
  }

  @RepeatedTest(5)
  void emitsTheBytesInOrderInFullChunks() {
    Random random = new Random();
    List<byte[]> items = new ArrayList<>();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (int i = 0; i < 500; i++) {
      byte[] item = randomBytes(random, random.nextInt(3000));
      items.add(item);
      all.writeBytes(item);
    }
    CountingAdapter adapter = new CountingAdapter();
    List<ByteBuffer> chunks =
        ChunkCoalescer.coalesce(produced(items), 4096, 8, adapter).collectList().block(TIMEOUT);

    assertThat(concat(chunks)).isEqualTo(all.toByteArray());
    for (int i = 0; i < chunks.size() - 1; i++) {
      assertThat(chunks.get(i).remaining()).as("chunk %d", i).isEqualTo(4096);
    }
    assertThat(chunks.get(chunks.size() - 1).remaining()).isBetween(1, 4096);
    assertThat(adapter.releases.get()).isEqualTo(adapter.holds.get()).isEqualTo(items.size());
  }

  @Test
  void oneByteItemsMakeWholeChunks() {
    int n = 10_000;
    Flux<ByteBuffer> bytes = Flux.range(0, n).map(i -> ByteBuffer.wrap(new byte[] {i.byteValue()}));
    StepVerifier.create(
            ChunkCoalescer.coalesce(bytes, 1024).map(ByteBuffer::remaining).collectList())
        .assertNext(
            sizes -> {
              assertThat(sizes).hasSize(10);
              assertThat(sizes.subList(0, 9)).containsOnly(1024);
              assertThat(sizes.get(9)).isEqualTo(n - 9 * 1024);
            })
        .expectComplete()
        .verify(TIMEOUT);
    byte[] out =
        concat(
            ChunkCoalescer.coalesce(
                    Flux.range(0, n).map(i -> ByteBuffer.wrap(new byte[] {i.byteValue()})), 1024)
                .collectList()
                .block(TIMEOUT));
    for (int i = 0; i < n; i++) {
      assertThat(out[i]).isEqualTo((byte) i);
    }
  }

  /**
   * A subscriber that lends its {@link ReadBuffers} (as the extraction pipeline does) gets chunks
   * refilled from the ones it gave back, with the same bytes; one lending another size, or none,
   * gets fresh ones.
   */
  @Test
  void chunksComeFromTheBuffersTheSubscriberLends() {
    int n = 64 * 1024;
    byte[] expected = new byte[n];
    new Random(7).nextBytes(expected);
    ReadBuffers lent = new ReadBuffers(1024, 4);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<ByteBuffer> seen = new ArrayList<>();
    ChunkCoalescer.coalesce(pieces(expected, 100), 1024)
        .doOnNext(
            chunk -> {
              seen.add(chunk);
              out.write(chunk.array(), chunk.arrayOffset() + chunk.position(), chunk.remaining());
              lent.give(chunk); // consumed: the next chunk may refill it
            })
        .contextWrite(lent.lend())
        .blockLast(TIMEOUT);

    assertThat(out.toByteArray()).isEqualTo(expected);
    assertThat(seen).hasSize(64);
    assertThat(lent.reused()).as("chunks refilled").isGreaterThanOrEqualTo(60);
    assertThat(lent.allocated()).isLessThanOrEqualTo(4);
    assertThat(seen.stream().map(System::identityHashCode).distinct().count())
        .as("distinct chunk buffers")
        .isLessThanOrEqualTo(4);

    ReadBuffers otherSize = new ReadBuffers(2048, 4);
    List<ByteBuffer> fresh =
        ChunkCoalescer.coalesce(pieces(expected, 100), 1024)
            .doOnNext(otherSize::give)
            .contextWrite(otherSize.lend())
            .collectList()
            .block(TIMEOUT);
    assertThat(concat(fresh)).isEqualTo(expected);
    assertThat(otherSize.reused()).isZero();
  }

  private static Flux<ByteBuffer> pieces(byte[] bytes, int size) {
    return Flux.range(0, (bytes.length + size - 1) / size)
        .map(i -> ByteBuffer.wrap(bytes, i * size, Math.min(size, bytes.length - i * size)));
  }

  @Test
  void largeBuffersPassThroughUncopiedWhenNothingIsPending() {
    ByteBuffer big = ByteBuffer.allocate(3000);
    ByteBuffer small = ByteBuffer.allocate(10);
    List<ByteBuffer> out =
        ChunkCoalescer.coalesce(Flux.just(big, small, ByteBuffer.allocate(3000)), 4096)
            .collectList()
            .block(TIMEOUT);
    assertThat(out.get(0)).isSameAs(big);
    // The third buffer follows bytes that are pending: copied behind them, in order.
    assertThat(out).hasSize(2);
    assertThat(out.get(1).remaining()).isEqualTo(3010);
  }

  @Test
  void anEmptySourceCompletesEmpty() {
    StepVerifier.create(ChunkCoalescer.coalesce(Flux.<ByteBuffer>empty(), 16))
        .expectComplete()
        .verify(TIMEOUT);
    StepVerifier.create(ChunkCoalescer.coalesce(Flux.just(ByteBuffer.allocate(0)), 16))
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void withoutDemandTheSourceIsAskedForAtMostThePrefetch() {
    AtomicLong requested = new AtomicLong();
    AtomicLong sent = new AtomicLong();
    // An endless source: only the coalescer's requests bound what it sends.
    Flux<ByteBuffer> endless =
        Flux.<ByteBuffer>generate(sink -> sink.next(ByteBuffer.allocate(4)))
            .doOnRequest(requested::addAndGet)
            .doOnNext(b -> sent.incrementAndGet());

    StepVerifier.create(ChunkCoalescer.coalesce(endless, 16, 8, ChunkCoalescer.BYTE_BUFFERS), 0)
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(100))
        .then(
            () -> {
              // 8 items of 4 bytes: two full chunks wait, and nothing more was asked for.
              assertThat(requested.get()).isEqualTo(8);
              assertThat(sent.get()).isEqualTo(8);
            })
        .thenRequest(1)
        .expectNextMatches(chunk -> chunk.remaining() == 16)
        .then(() -> assertThat(sent.get()).as("one chunk still waits: no more asked").isEqualTo(8))
        .thenRequest(1)
        .expectNextMatches(chunk -> chunk.remaining() == 16)
        .then(
            () ->
                assertThat(sent.get())
                    .as("nothing waits: asked again, a prefetch at most")
                    .isBetween(9L, 16L))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void cancellingReleasesEveryHeldItem() {
    CountingAdapter adapter = new CountingAdapter();
    TestPublisher<Counted> source = TestPublisher.createCold();
    List<Counted> items = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      items.add(new Counted(new byte[10]));
    }
    StepVerifier.create(ChunkCoalescer.coalesce(source, 1000, 8, adapter), 0)
        .then(() -> items.forEach(source::next))
        .thenCancel()
        .verify(TIMEOUT);
    source.assertCancelled();
    assertThat(adapter.holds.get()).isEqualTo(5);
    assertThat(adapter.releases.get()).isEqualTo(5);
    // Only the producer's own references are left.
    assertThat(items).allMatch(c -> c.refs.get() == 1);
  }

  @Test
  void anItemArrivingAfterTheCancelIsReleased() {
    CountingAdapter adapter = new CountingAdapter();
    // A source that, like a network client, may still deliver an item it was reading when the
    // cancel came.
    AtomicReference<Subscriber<? super Counted>> subscriber = new AtomicReference<>();
    Publisher<Counted> source =
        s -> {
          subscriber.set(s);
          s.onSubscribe(
              new Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
              });
        };
    Counted late = new Counted(new byte[10]);
    StepVerifier.create(ChunkCoalescer.coalesce(source, 1000, 8, adapter), 0)
        .thenCancel()
        .verify(TIMEOUT);
    subscriber.get().onNext(late);
    assertThat(adapter.holds.get()).isEqualTo(1);
    assertThat(adapter.releases.get()).isEqualTo(1);
    assertThat(late.refs.get()).isEqualTo(1);
  }

  @Test
  void anErrorFollowsTheBytesReceivedBeforeItAndEveryHeldItemIsReleased() {
    CountingAdapter adapter = new CountingAdapter();
    TestPublisher<Counted> source = TestPublisher.create();
    IllegalStateException boom = new IllegalStateException("connection reset");
    StepVerifier.create(ChunkCoalescer.coalesce(source, 16, 8, adapter))
        .then(
            () -> {
              source.next(new Counted(new byte[20]));
              source.next(new Counted(new byte[5]));
            })
        .expectNextMatches(chunk -> chunk.remaining() == 16)
        .then(() -> source.error(boom))
        // The bytes received before the error come first, in a short chunk.
        .expectNextMatches(chunk -> chunk.remaining() == 9)
        .expectErrorSatisfies(e -> assertThat(e).isSameAs(boom))
        .verify(TIMEOUT);
    assertThat(adapter.releases.get()).isEqualTo(adapter.holds.get()).isEqualTo(2);
  }

  @Test
  void anErrorWaitsForDemandForTheBytesBeforeIt() {
    TestPublisher<ByteBuffer> source = TestPublisher.create();
    IllegalStateException boom = new IllegalStateException("connection reset");
    StepVerifier.create(ChunkCoalescer.coalesce(source, 16), 0)
        .then(
            () -> {
              source.next(ByteBuffer.allocate(5));
              source.error(boom);
            })
        .expectNoEvent(Duration.ofMillis(50))
        .thenRequest(1)
        .expectNextMatches(chunk -> chunk.remaining() == 5)
        .expectErrorSatisfies(e -> assertThat(e).isSameAs(boom))
        .verify(TIMEOUT);
  }

  @Test
  void aSourceSendingMoreThanAskedFailsInsteadOfBuffering() {
    CountingAdapter adapter = new CountingAdapter();
    AtomicLong requested = new AtomicLong();
    AtomicInteger cancels = new AtomicInteger();
    AtomicReference<Subscriber<? super Counted>> subscriber = new AtomicReference<>();
    Publisher<Counted> source =
        s -> {
          subscriber.set(s);
          s.onSubscribe(
              new Subscription() {
                @Override
                public void request(long n) {
                  requested.addAndGet(n);
                }

                @Override
                public void cancel() {
                  cancels.incrementAndGet();
                }
              });
        };
    // One-byte chunks: every item fills one, so without demand nothing more is asked for after the
    // prefetch.
    StepVerifier.create(ChunkCoalescer.coalesce(source, 1, 2, adapter), 0)
        .then(
            () -> {
              assertThat(requested.get()).isEqualTo(2);
              for (int i = 0; i < 10; i++) {
                subscriber.get().onNext(new Counted(new byte[1]));
              }
            })
        .expectError(IllegalStateException.class)
        .verify(TIMEOUT);
    assertThat(requested.get()).isEqualTo(2);
    assertThat(cancels.get()).isEqualTo(1);
    assertThat(adapter.releases.get()).isEqualTo(adapter.holds.get()).isEqualTo(10);
  }

  @RepeatedTest(20)
  void requestsAndItemsOnDifferentThreadsKeepOrderAndReleaseEverything() {
    Random random = new Random();
    List<byte[]> items = new ArrayList<>();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (int i = 0; i < 300; i++) {
      byte[] item = randomBytes(random, 1 + random.nextInt(700));
      items.add(item);
      all.writeBytes(item);
    }
    CountingAdapter adapter = new CountingAdapter();
    List<ByteBuffer> chunks =
        ChunkCoalescer.coalesce(
                produced(items).subscribeOn(Schedulers.parallel()), 1024, 4, adapter)
            .publishOn(Schedulers.single(), 2)
            .collectList()
            .block(TIMEOUT);
    assertThat(concat(chunks)).isEqualTo(all.toByteArray());
    assertThat(adapter.releases.get()).isEqualTo(adapter.holds.get()).isEqualTo(items.size());
  }

  @RepeatedTest(20)
  void aCancelRacingTheItemsReleasesEverything() {
    CountingAdapter adapter = new CountingAdapter();
    List<byte[]> items = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      items.add(new byte[100]);
    }
    ChunkCoalescer.coalesce(produced(items).subscribeOn(Schedulers.parallel()), 1000, 8, adapter)
        .publishOn(Schedulers.single(), 1)
        .take(5)
        .blockLast(TIMEOUT);
    // The cancel may land while items are on their way: wait until the source has stopped.
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (adapter.releases.get() != adapter.holds.get() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(adapter.releases.get()).isEqualTo(adapter.holds.get());
  }

  @Test
  void rejectsNonPositiveSizes() {
    assertThatThrownBy(() -> ChunkCoalescer.coalesce(Flux.<ByteBuffer>empty(), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                ChunkCoalescer.coalesce(
                    Flux.<ByteBuffer>empty(), 16, 0, ChunkCoalescer.BYTE_BUFFERS))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
