package io.segmenttransfer.core.archive.codec;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Streaming gzip encoder: one member with the minimal 10-byte header (no name, no time, OS
 * "unknown", so equal input gives equal bytes), a raw {@link Deflater} fed through its ByteBuffer
 * API, and the CRC-32 / length trailer.
 */
final class GzipEncoder extends StreamingTransform {

  static final int DEFAULT_LEVEL = 6;

  private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

  private enum State {
    HEADER,
    DEFLATE,
    TRAILER,
    DONE
  }

  private final Deflater deflater;
  private final CRC32 crc = new CRC32();

  /** Header or trailer bytes not yet copied out. */
  private final byte[] pending = new byte[HEADER.length];

  private int pendingPosition;
  private int pendingLimit;
  private State state = State.HEADER;

  GzipEncoder(String subject, int level) {
    super("gzip encoder", subject);
    this.deflater = new Deflater(level, true);
  }

  @Override
  void accept(ByteBuffer chunk) {
    super.accept(chunk);
    // All of an offered chunk will be deflated, so checksum it whole now and leave its position.
    int position = chunk.position();
    crc.update(chunk);
    chunk.position(position);
    deflater.setInput(chunk);
  }

  @Override
  public void endOfInput() {
    if (!ended()) {
      super.endOfInput();
      deflater.finish();
    }
  }

  @Override
  public int read(ByteBuffer dst) {
    checkUsable();
    int start = dst.position();
    loop:
    while (true) {
      if (pendingPosition < pendingLimit) {
        int n = Math.min(pendingLimit - pendingPosition, dst.remaining());
        dst.put(pending, pendingPosition, n);
        pendingPosition += n;
        if (pendingPosition < pendingLimit) {
          break;
        }
      }
      switch (state) {
        case HEADER -> {
          System.arraycopy(HEADER, 0, pending, 0, HEADER.length);
          pendingPosition = 0;
          pendingLimit = HEADER.length;
          state = State.DEFLATE;
        }
        case DEFLATE -> {
          if (!dst.hasRemaining()) {
            break loop;
          }
          int n = deflater.deflate(dst);
          if (deflater.finished()) {
            writeTrailer();
            state = State.TRAILER;
          } else if (n == 0) {
            // Without finish() the deflater holds what it has until more input comes.
            break loop;
          }
        }
        case TRAILER -> state = State.DONE;
        case DONE -> {
          break loop;
        }
      }
    }
    int produced = dst.position() - start;
    countOut(produced);
    if (produced > 0) {
      return produced;
    }
    return state == State.DONE ? -1 : 0;
  }

  private void writeTrailer() {
    int value = (int) crc.getValue();
    // The deflater finished, so it consumed every byte offered.
    int size = (int) bytesIn();
    for (int i = 0; i < 4; i++) {
      pending[i] = (byte) (value >>> (8 * i));
      pending[4 + i] = (byte) (size >>> (8 * i));
    }
    pendingPosition = 0;
    pendingLimit = 8;
  }

  @Override
  void release() {
    deflater.end();
  }
}
