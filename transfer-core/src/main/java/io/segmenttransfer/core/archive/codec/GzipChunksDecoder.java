package io.segmenttransfer.core.archive.codec;

import io.segmenttransfer.core.error.InvalidArchiveException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.jspecify.annotations.Nullable;

/**
 * Reads the gzip independent-chunk layout ({@link GzipChunkLayout}) on all cores; any other gzip
 * stream goes to the serial {@link GzipDecoder} from its first byte.
 *
 * <p>Chunk ends are found without inflating: every chunk but the last ends with the full-flush
 * marker {@code 00 00 ff ff}, so the compressed bytes are cut after each marker into spans and each
 * span is inflated on the pool with a fresh raw inflater. The same four bytes can also occur inside
 * a chunk (in stored data, or by chance), so a span is taken as a whole chunk only when inflating
 * it, followed by an empty final block, ends exactly there with exactly the declared chunk size;
 * spans are checked in order from the header, so every accepted span starts where the previous
 * chunk ended. A span that fails the check is joined with the next one and inflated again, until a
 * chunk's worth of compressed bytes was tried. The trailer's CRC-32 is checked against the chunks'
 * CRCs combined, and its length against the total.
 */
final class GzipChunksDecoder extends ChunkedDecoder {

  /** An empty final fixed-Huffman block: a span that ends at a block boundary then finishes. */
  private static final byte[] FINAL_BLOCK = {0x03, 0x00};

  private static final int TRAILER = 8;

  private static final Decoded NOT_A_CHUNK = new Decoded(new byte[0], 0, 0, false);

  /** A cut span: compressed bytes (with room for {@link #FINAL_BLOCK}) and its stream offset. */
  private record Span(byte[] bytes, int length, long offset, boolean last) {}

  /** The spans in flight, in order, beside their decodes in {@link #work}. */
  private final ArrayDeque<Span> spans = new ArrayDeque<>();

  private final byte[] head = new byte[GzipChunkLayout.HEADER_LENGTH];
  private int headFilled;
  private int chunkSize = -1;
  private int maxSpan;

  /** Compressed bytes after the last cut. */
  private byte @Nullable [] gathered;

  private int gatheredLength;

  /** Where the marker search in {@link #gathered} resumes. */
  private int scanFrom;

  /** Stream offset of {@code gathered[0]}. */
  private long gatheredOffset = GzipChunkLayout.HEADER_LENGTH;

  private boolean lastSubmitted;
  private boolean lastAccepted;
  private int crc;
  private long length;

  GzipChunksDecoder(String subject, ParallelSettings settings) {
    super("gzip chunks decoder", subject, settings);
  }

  @Override
  void pump() {
    if (chunkSize < 0 && !readHeader()) {
      return;
    }
    while (!serial()) {
      if (work.full()) {
        return;
      }
      int cut = nextCut();
      if (cut > 0) {
        submit(cut, false);
        continue;
      }
      if (input.hasRemaining()) {
        if (gatheredLength == gathered.length) {
          throw noChunkEnd(gatheredOffset);
        }
        int n = Math.min(input.remaining(), gathered.length - gatheredLength);
        input.get(gathered, gatheredLength, n);
        gatheredLength += n;
        continue;
      }
      if (ended() && !lastSubmitted) {
        if (gatheredLength <= TRAILER) {
          throw fail(
              "truncated gzip stream: input ended after "
                  + (gatheredOffset + gatheredLength)
                  + " bytes, without the deflate data and trailer");
        }
        submit(gatheredLength - TRAILER, true);
      }
      return;
    }
  }

  /** Gathers the header and picks the layout; false while more of it is needed. */
  private boolean readHeader() {
    int n = Math.min(head.length - headFilled, input.remaining());
    input.get(head, headFilled, n);
    headFilled += n;
    if (headFilled < head.length && !ended()) {
      return false;
    }
    chunkSize = GzipChunkLayout.chunkSize(Arrays.copyOf(head, headFilled));
    if (chunkSize < 0) {
      switchToSerial(new GzipDecoder(subject), ByteBuffer.wrap(head, 0, headFilled));
      return false;
    }
    maxSpan = chunkSize + chunkSize / 256 + 64 * 1024;
    gathered = new byte[maxSpan + TRAILER + 1];
    return true;
  }

  /**
   * The end of the first marker in {@link #gathered} followed by more than a trailer's worth of
   * bytes (so it is not in the trailer and the last chunk is not empty), or -1.
   */
  private int nextCut() {
    byte[] g = gathered;
    int end = gatheredLength - 4 - TRAILER - 1;
    int i = Math.max(scanFrom, 0);
    // Horspool on the window's last byte: 00 00 ff ff can start 1 later after an ff, 2 after a
    // 00, and not within the next 4 after any other byte, so most windows cost one compare (the
    // byte-by-byte scan was 6 % of a 2-thread read's CPU, on the one thread that feeds the pool).
    while (i <= end) {
      byte last = g[i + 3];
      if (last == (byte) 0xff) {
        if (g[i + 2] == (byte) 0xff && g[i + 1] == 0 && g[i] == 0) {
          scanFrom = i + 4;
          return i + 4;
        }
        i += 1;
      } else if (last == 0) {
        i += 2;
      } else {
        i += 4;
      }
    }
    // Every start before i is ruled out (a skip only passes starts the skipped byte excludes).
    scanFrom = Math.max(scanFrom, i);
    return -1;
  }

  private void submit(int cut, boolean last) {
    byte[] bytes = inputs.take(cut + FINAL_BLOCK.length);
    System.arraycopy(gathered, 0, bytes, 0, cut);
    Span span = new Span(bytes, cut, gatheredOffset, last);
    System.arraycopy(gathered, cut, gathered, 0, gatheredLength - cut);
    gatheredLength -= cut;
    scanFrom -= cut;
    gatheredOffset += cut;
    lastSubmitted = last;
    enqueue(span);
  }

  private void enqueue(Span span) {
    spans.add(span);
    int size = chunkSize;
    work.submit(() -> inflate(span, size, arrays));
  }

  @Override
  Decoded accept(Decoded chunk) {
    Span span = spans.poll();
    while (!chunk.whole()) {
      if (span.last()) {
        throw fail(
            "truncated or corrupt gzip stream: the deflate data from input byte "
                + span.offset()
                + " does not end the stream right before its trailer");
      }
      if (spans.isEmpty()) {
        // The next chunk end has not arrived yet: gather the span again, with what follows.
        regather(span);
        return Decoded.NOTHING;
      }
      Span next = spans.poll();
      work.take();
      span = join(span, next);
      chunk = inflate(span, chunkSize, arrays);
    }
    // Inflated whole: the span's array gathers a later one (joined spans are fresh copies).
    inputs.give(span.bytes());
    crc = Crc32Combine.combine(crc, chunk.crc(), chunk.length());
    length += chunk.length();
    lastAccepted = span.last();
    return chunk;
  }

  /** One span of two neighbours, to inflate again: the cut between them was not a chunk end. */
  private Span join(Span span, Span next) {
    int joined = span.length() + next.length();
    if (joined > maxSpan) {
      throw noChunkEnd(span.offset());
    }
    byte[] bytes = Arrays.copyOf(span.bytes(), joined + FINAL_BLOCK.length);
    System.arraycopy(next.bytes(), 0, bytes, span.length(), next.length());
    return new Span(bytes, joined, span.offset(), next.last());
  }

  /** Puts a span back in front of the bytes gathered since, to be cut at a later marker. */
  private void regather(Span span) {
    if (span.length() + gatheredLength > maxSpan + TRAILER + 1) {
      throw noChunkEnd(span.offset());
    }
    System.arraycopy(gathered, 0, gathered, span.length(), gatheredLength);
    System.arraycopy(span.bytes(), 0, gathered, 0, span.length());
    gatheredLength += span.length();
    scanFrom = Math.max(scanFrom, 0) + span.length();
    gatheredOffset = span.offset();
  }

  private InvalidArchiveException noChunkEnd(long offset) {
    return fail(
        "corrupt gzip stream: no chunk end within "
            + maxSpan
            + " bytes after input byte "
            + offset
            + " although the header declares chunks of "
            + chunkSize
            + " bytes");
  }

  private static Decoded inflate(Span span, int chunkSize, ArrayRecycler arrays) {
    // One byte more than a chunk: a span that inflates past the declared size is not a chunk.
    int limit = chunkSize + 1;
    byte[] out = arrays.take(limit);
    Inflater inflater = new Inflater(true);
    try {
      if (span.last()) {
        inflater.setInput(span.bytes(), 0, span.length());
      } else {
        System.arraycopy(FINAL_BLOCK, 0, span.bytes(), span.length(), FINAL_BLOCK.length);
        inflater.setInput(span.bytes(), 0, span.length() + FINAL_BLOCK.length);
      }
      int n = 0;
      while (n < limit && !inflater.finished()) {
        int made = inflater.inflate(out, n, limit - n);
        if (made == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        n += made;
      }
      boolean whole =
          inflater.finished()
              && inflater.getRemaining() == 0
              && (span.last() ? n <= chunkSize : n == chunkSize);
      if (!whole) {
        arrays.give(out);
        return NOT_A_CHUNK;
      }
      CRC32 crc = new CRC32();
      crc.update(out, 0, n);
      return new Decoded(out, n, (int) crc.getValue(), true);
    } catch (DataFormatException e) {
      arrays.give(out);
      return NOT_A_CHUNK;
    } finally {
      inflater.end();
    }
  }

  @Override
  boolean finish() {
    if (!lastAccepted) {
      throw new IllegalStateException("gzip chunks ended before the last one was handed out");
    }
    ByteBuffer trailer =
        ByteBuffer.wrap(gathered, gatheredLength - TRAILER, TRAILER).order(ByteOrder.LITTLE_ENDIAN);
    int expectedCrc = trailer.getInt();
    int expectedSize = trailer.getInt();
    if (expectedCrc != crc) {
      throw fail(
          String.format(
              "corrupt gzip stream: CRC-32 mismatch (trailer %08x, data %08x)", expectedCrc, crc));
    }
    if (expectedSize != (int) length) {
      throw fail(
          "corrupt gzip stream: length mismatch (trailer "
              + Integer.toUnsignedString(expectedSize)
              + ", data "
              + length
              + " mod 2^32)");
    }
    return true;
  }
}
