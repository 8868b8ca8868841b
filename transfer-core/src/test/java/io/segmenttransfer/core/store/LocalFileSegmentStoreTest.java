package io.segmenttransfer.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

class LocalFileSegmentStoreTest extends SegmentStoreContract {

  private static final int CHUNK = 64 * 1024;

  private static Scheduler scheduler;

  @TempDir Path root;

  @BeforeAll
  static void start() {
    scheduler = Schedulers.newBoundedElastic(4, 100, "file-store-test");
  }

  @AfterAll
  static void stop() {
    scheduler.dispose();
  }

  @Override
  protected SegmentStore store() {
    return new LocalFileSegmentStore(scheduler, CHUNK);
  }

  @Override
  protected URI newUri(String name) {
    return root.resolve("deepstore").resolve(name).toUri();
  }

  /**
   * A reader that lends its buffers gets them refilled, and never one it still holds: it keeps the
   * last three chunks (the store reads ahead on its own thread meanwhile), checks each against the
   * file after a delay, and only then gives it back.
   */
  @Test
  void refillsOnlyTheChunksTheReaderGaveBack() throws IOException {
    byte[] content = new byte[40 * CHUNK + 123];
    new Random(5).nextBytes(content);
    Path file =
        Files.write(Files.createDirectories(root.resolve("lent")).resolve("a.bin"), content);
    ReadBuffers lent = new ReadBuffers(CHUNK, 8);
    ArrayDeque<Held> held = new ArrayDeque<>();
    Set<ByteBuffer> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<String> mismatches = new ArrayList<>();
    long[] offset = {0};

    store()
        .read(file.toUri(), 0)
        .contextWrite(lent.lend())
        // The store reads ahead on its own worker while this one holds chunks.
        .publishOn(scheduler, 4)
        .doOnNext(
            chunk -> {
              seen.add(chunk);
              held.add(new Held(chunk, offset[0], chunk.remaining()));
              offset[0] += chunk.remaining();
              if (held.size() > 3) {
                Held oldest = held.poll();
                sleep(3);
                oldest.check(content, mismatches);
                lent.give(oldest.chunk());
              }
            })
        .blockLast(Duration.ofSeconds(30));
    held.forEach(h -> h.check(content, mismatches));

    assertThat(mismatches).isEmpty();
    assertThat(offset[0]).isEqualTo(content.length);
    assertThat(lent.reused()).as("chunks refilled instead of allocated").isGreaterThan(20);
    assertThat(seen).as("distinct buffers").hasSizeLessThan(12);
  }

  @Test
  void allocatesAsBeforeForAReaderThatLendsNothing() throws IOException {
    byte[] content = new byte[10 * CHUNK];
    new Random(6).nextBytes(content);
    Path file = Files.write(Files.createDirectories(root.resolve("own")).resolve("b.bin"), content);
    Set<ByteBuffer> seen = Collections.newSetFromMap(new IdentityHashMap<>());

    store().read(file.toUri(), 0).doOnNext(seen::add).blockLast(Duration.ofSeconds(30));

    assertThat(seen).hasSize(10);
  }

  @Test
  void keepsOnlyWholeWritableHeapArraysOfItsSizeAndNoMoreThanItLent() {
    ReadBuffers lent = new ReadBuffers(CHUNK, 4);
    // Nothing taken yet: a buffer of the right shape from a source that allocates its own is not
    // kept either.
    lent.give(ByteBuffer.allocate(CHUNK));
    assertThat(lent.take(CHUNK)).isNotNull();
    assertThat(lent.reused()).isZero();

    lent.give(ByteBuffer.allocate(CHUNK).asReadOnlyBuffer());
    lent.give(ByteBuffer.allocateDirect(CHUNK));
    lent.give(ByteBuffer.allocate(CHUNK + 1));
    lent.give(ByteBuffer.wrap(new byte[2 * CHUNK], 0, CHUNK).slice());
    lent.give(ByteBuffer.wrap(new byte[2 * CHUNK]).slice(CHUNK, CHUNK));
    assertThat(lent.take(CHUNK)).isNotNull();
    assertThat(lent.reused()).isZero();

    lent.take(CHUNK);
    ByteBuffer whole = ByteBuffer.allocate(CHUNK);
    whole.position(100);
    lent.give(whole);
    assertThat(lent.take(CHUNK)).isSameAs(whole).satisfies(b -> assertThat(b.position()).isZero());
    assertThat(lent.reused()).isOne();
  }

  private record Held(ByteBuffer chunk, long offset, int length) {
    void check(byte[] content, List<String> mismatches) {
      ByteBuffer expected = ByteBuffer.wrap(content, (int) offset, length);
      ByteBuffer actual = chunk.duplicate();
      if (actual.remaining() != length || !actual.equals(expected)) {
        mismatches.add("chunk at " + offset + " changed while held");
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
