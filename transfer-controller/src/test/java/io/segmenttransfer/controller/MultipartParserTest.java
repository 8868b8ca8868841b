package io.segmenttransfer.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.segmenttransfer.core.error.InvalidRequestException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MultipartParserTest {

  private static final String BOUNDARY = "--abc--abd";

  @Test
  void fileBytesSurviveEverySplitEvenWhenTheyLookLikeTheDelimiter() {
    // Content full of near-delimiters: CRLF, dashes and boundary prefixes.
    byte[] content =
        ("x\r\n--" + BOUNDARY.substring(0, 7) + "\r\n\r\n----abc--ab\r\n-\r" + "tail")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] body = SegmentUploadTest.multipart(BOUNDARY, "f.bin", content);
    for (int split = 0; split <= body.length; split++) {
      assertThat(parse(body, split, body.length - split))
          .as("split at %d", split)
          .isEqualTo(content);
    }
    Random random = new Random(1);
    byte[] large = new byte[200_000];
    random.nextBytes(large);
    byte[] big = SegmentUploadTest.multipart(BOUNDARY, "f.bin", large);
    for (int chunk : new int[] {1, 7, 4096, 65536}) {
      assertThat(parse(big, chunk)).isEqualTo(large);
    }
  }

  @Test
  void refusesBodiesWithoutAFileOrAClosingBoundary() {
    byte[] noFile =
        ("--"
                + BOUNDARY
                + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--"
                + BOUNDARY
                + "--\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> parse(noFile, 10))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("no file part");
    byte[] body = SegmentUploadTest.multipart(BOUNDARY, "f.bin", new byte[100]);
    assertThatThrownBy(() -> parse(Arrays.copyOf(body, body.length - 10), 16))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("truncated");
    assertThat(MultipartParser.boundary("multipart/form-data; boundary=\"q r\"")).isEqualTo("q r");
    assertThat(MultipartParser.boundary("application/octet-stream")).isNull();
  }

  private static byte[] parse(byte[] body, int... chunks) {
    MultipartParser parser = new MultipartParser(BOUNDARY);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = 0;
    int i = 0;
    while (at < body.length) {
      int n = Math.min(chunks[Math.min(i++, chunks.length - 1)], body.length - at);
      ByteBuf buf = Unpooled.wrappedBuffer(body, at, n);
      try {
        ByteBuffer part = parser.feed(buf);
        if (part != null) {
          out.write(part.array(), part.arrayOffset() + part.position(), part.remaining());
        }
      } finally {
        buf.release();
      }
      at += n;
    }
    parser.finish();
    return out.toByteArray();
  }
}
