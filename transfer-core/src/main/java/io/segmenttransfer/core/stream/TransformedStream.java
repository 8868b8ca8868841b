package io.segmenttransfer.core.stream;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import reactor.core.publisher.Flux;

/**
 * Runs a stream of buffers through a {@link ByteTransform} (an encryptor for a deep-store upload,
 * for example), one chunk at a time and in order: the output of a chunk is emitted before the next
 * chunk is requested, so what is in flight is about one input chunk and the transform's own block,
 * whatever the stream's size. The transform is driven on the thread that delivers the source's
 * chunks (one at a time, as the transform requires), and closed on completion, error and cancel.
 */
public final class TransformedStream {

  /** Size of the buffers the output is drained into. */
  public static final int OUTPUT_BUFFER_SIZE = 64 * 1024;

  private TransformedStream() {}

  /**
   * The transformed bytes of {@code source}. A new transform is made per subscription; its failures
   * (as {@code SegmentTransferException}s) are error signals. Emitted buffers are new and belong to
   * the subscriber.
   */
  public static Flux<ByteBuffer> apply(Flux<ByteBuffer> source, Callable<ByteTransform> transform) {
    return Flux.using(
        transform,
        t ->
            source
                .concatMapIterable(chunk -> drain(t, chunk), 1)
                .concatWith(Flux.defer(() -> Flux.fromIterable(finish(t)))),
        ByteTransform::close);
  }

  /**
   * Offers one chunk and drains what it produced; read answers 0 once the transform wants more
   * input.
   */
  private static List<ByteBuffer> drain(ByteTransform t, ByteBuffer chunk) {
    List<ByteBuffer> out = new ArrayList<>();
    t.offer(chunk);
    while (true) {
      ByteBuffer dst = ByteBuffer.allocate(OUTPUT_BUFFER_SIZE);
      if (t.read(dst) <= 0) {
        return out;
      }
      out.add(dst.flip());
    }
  }

  private static List<ByteBuffer> finish(ByteTransform t) {
    List<ByteBuffer> out = new ArrayList<>();
    t.endOfInput();
    while (true) {
      ByteBuffer dst = ByteBuffer.allocate(OUTPUT_BUFFER_SIZE);
      int n = t.read(dst);
      if (n < 0) {
        return out;
      }
      if (n > 0) {
        out.add(dst.flip());
      }
    }
  }
}
