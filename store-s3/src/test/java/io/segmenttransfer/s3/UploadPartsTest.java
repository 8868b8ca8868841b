package io.segmenttransfer.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.s3.UploadParts.UploadPart;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;

class UploadPartsTest {

  @ParameterizedTest
  @ValueSource(ints = {1, 999, 1000, 1001, 2000, 5555})
  void regroupsChunksIntoFullPartsWithOnlyTheLastMarked(int size) {
    byte[] bytes = S3TestServer.random(size, size);
    Random random = new Random(size);
    Flux<ByteBuffer> chunks =
        Flux.generate(
            () -> 0,
            (position, sink) -> {
              if (position >= size) {
                sink.complete();
                return position;
              }
              int n = Math.min(size - position, 1 + random.nextInt(700));
              sink.next(ByteBuffer.wrap(bytes, position, n).slice());
              return position + n;
            });

    List<UploadPart> parts = UploadParts.split(chunks, 1000).collectList().block();

    assertThat(parts).hasSize((size + 999) / 1000);
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (int i = 0; i < parts.size(); i++) {
      UploadPart part = parts.get(i);
      assertThat(part.number()).isEqualTo(i + 1);
      assertThat(part.last()).isEqualTo(i == parts.size() - 1);
      if (!part.last()) {
        assertThat(part.size()).isEqualTo(1000);
      }
      byte[] b = new byte[part.size()];
      part.bytes().duplicate().get(b);
      joined.writeBytes(b);
    }
    assertThat(joined.toByteArray()).isEqualTo(bytes);
  }

  @Test
  void anEmptyBodyIsOneEmptyLastPart() {
    List<UploadPart> parts = UploadParts.split(Flux.empty(), 1000).collectList().block();

    assertThat(parts)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.last()).isTrue();
              assertThat(p.size()).isZero();
            });
  }

  @Test
  void doesNotTouchTheCallersBuffers() {
    ByteBuffer chunk = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5});
    UploadParts.split(Flux.just(chunk), 2).blockLast();

    assertThat(chunk.position()).isZero();
    assertThat(Arrays.copyOf(chunk.array(), 5)).containsExactly(1, 2, 3, 4, 5);
  }
}
