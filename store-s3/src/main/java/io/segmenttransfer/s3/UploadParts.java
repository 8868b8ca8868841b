package io.segmenttransfer.s3;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Regroups a body of arbitrary chunks into upload parts of exactly {@code partSize} bytes (the last
 * one shorter). A full part is held back until the next byte or the end arrives, so each part knows
 * whether it is the last: a body that fits in one part is then sent with a single PUT. Holds at
 * most two parts (the one held back and the one filling); the input buffers are copied and not
 * retained.
 */
final class UploadParts {

  /** One part: 1-based number, bytes (position 0 to limit), and whether the body ends with it. */
  record UploadPart(int number, ByteBuffer bytes, boolean last) {
    int size() {
      return bytes.remaining();
    }
  }

  private UploadParts() {}

  static Flux<UploadPart> split(Flux<ByteBuffer> content, int partSize) {
    return Flux.defer(
        () -> {
          Splitter splitter = new Splitter(partSize);
          // Prefetch 1: the body is pulled one chunk at a time, as parts are wanted.
          return content
              .concatMapIterable(splitter::add, 1)
              .concatWith(Mono.fromSupplier(splitter::finish));
        });
  }

  private static final class Splitter {
    private final int partSize;
    private ByteBuffer filling;
    private ByteBuffer full;
    private int number;

    Splitter(int partSize) {
      this.partSize = partSize;
    }

    List<UploadPart> add(ByteBuffer chunk) {
      List<UploadPart> ready = new ArrayList<>(1);
      ByteBuffer input = chunk.duplicate();
      while (input.hasRemaining()) {
        if (full != null) {
          ready.add(new UploadPart(++number, full.flip(), false));
          full = null;
        }
        if (filling == null) {
          filling = ByteBuffer.allocate(partSize);
        }
        int n = Math.min(filling.remaining(), input.remaining());
        filling.put(input.slice(input.position(), n));
        input.position(input.position() + n);
        if (!filling.hasRemaining()) {
          full = filling;
          filling = null;
        }
      }
      return ready;
    }

    UploadPart finish() {
      if (full != null) {
        return new UploadPart(++number, full.flip(), true);
      }
      if (filling != null) {
        return new UploadPart(++number, filling.flip(), true);
      }
      // An empty body (number == 0) is one empty part.
      return new UploadPart(++number, ByteBuffer.allocate(0), true);
    }
  }
}
