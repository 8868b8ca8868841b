package io.segmenttransfer.core.archive.codec;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Streaming gzip (RFC 1952) decoder: the member header and trailer are parsed here, byte by byte if
 * need be, and the deflate data in between goes to a raw {@link Inflater} through its ByteBuffer
 * API, which works on heap and direct buffers alike without copying. Every member of a multi-member
 * stream is decoded (pigz and concatenated files produce them) and each one's CRC-32 and length are
 * verified; anything after the last member other than another member is refused, so a damaged or
 * padded archive never passes as complete. Memory: the inflater's 32 KiB window.
 */
final class GzipDecoder extends StreamingTransform {

  private static final int FHCRC = 0x02;
  private static final int FEXTRA = 0x04;
  private static final int FNAME = 0x08;
  private static final int FCOMMENT = 0x10;
  private static final int RESERVED_FLAGS = 0xe0;
  private static final int FIXED_HEADER = 10;
  private static final int TRAILER = 8;

  private enum State {
    HEADER,
    INFLATE,
    TRAILER,
    BETWEEN_MEMBERS,
    DONE
  }

  /** The header parts in the order RFC 1952 lays them out; each optional one per a flag bit. */
  private enum Field {
    FIXED,
    EXTRA_LENGTH,
    EXTRA,
    NAME,
    COMMENT,
    HEADER_CRC
  }

  private final Inflater inflater = new Inflater(true);
  private final CRC32 crc = new CRC32();
  private final CRC32 headerCrc = new CRC32();

  /** Holds the fixed header, the extra-field length, the header CRC or the trailer as it comes. */
  private final byte[] scratch = new byte[FIXED_HEADER];

  private int scratchLength;

  private long memberStart;
  private long memberOut;
  private int members;
  private State state = State.HEADER;
  private Field field = Field.FIXED;
  private int flags;
  private int extraRemaining;

  GzipDecoder(String subject) {
    super("gzip decoder", subject);
  }

  @Override
  void accept(ByteBuffer chunk) {
    super.accept(chunk);
    if (state == State.INFLATE) {
      inflater.setInput(chunk);
    }
  }

  @Override
  public int read(ByteBuffer dst) {
    checkUsable();
    int start = dst.position();
    loop:
    while (true) {
      switch (state) {
        case HEADER -> {
          if (!parseHeader()) {
            break loop;
          }
          inflater.setInput(input);
          state = State.INFLATE;
        }
        case INFLATE -> {
          if (!dst.hasRemaining() || !inflate(dst)) {
            break loop;
          }
        }
        case TRAILER -> {
          if (!fillScratch(TRAILER)) {
            break loop;
          }
          verifyTrailer();
          members++;
          state = State.BETWEEN_MEMBERS;
        }
        case BETWEEN_MEMBERS -> {
          if (input.hasRemaining()) {
            startMember();
          } else if (ended()) {
            state = State.DONE;
          } else {
            break loop;
          }
        }
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
    if (state == State.DONE) {
      return -1;
    }
    if (ended() && dst.hasRemaining()) {
      throw fail(
          "truncated gzip stream: input ended after "
              + bytesIn()
              + " bytes, inside member "
              + (members + 1)
              + " ("
              + describe(state)
              + ")");
    }
    return 0;
  }

  /**
   * Inflates into {@code dst} once; true when the caller should go on (output was produced or the
   * deflate data ended), false when more input or more room is needed.
   */
  private boolean inflate(ByteBuffer dst) {
    int before = dst.position();
    int n;
    try {
      n = inflater.inflate(dst);
    } catch (DataFormatException e) {
      throw fail("corrupt gzip stream in member " + (members + 1) + ": " + e.getMessage(), e);
    }
    if (n > 0) {
      // Checksum exactly the bytes just written, without allocating a slice per call.
      int limit = dst.limit();
      dst.position(before).limit(before + n);
      crc.update(dst);
      dst.limit(limit);
      memberOut += n;
    }
    if (inflater.finished()) {
      // The inflater advanced the input buffer to the end of the deflate data: the trailer is next.
      state = State.TRAILER;
      scratchLength = 0;
      return true;
    }
    if (n == 0 && inflater.needsDictionary()) {
      throw fail(
          "corrupt gzip stream in member "
              + (members + 1)
              + ": deflate data asks for a preset dictionary");
    }
    return n > 0;
  }

  private void startMember() {
    inflater.reset();
    crc.reset();
    headerCrc.reset();
    memberOut = 0;
    memberStart = bytesIn();
    scratchLength = 0;
    field = Field.FIXED;
    state = State.HEADER;
  }

  /** Consumes header bytes; true once the whole header has been read and checked. */
  private boolean parseHeader() {
    while (input.hasRemaining()) {
      switch (field) {
        case FIXED -> {
          byte b = input.get();
          headerCrc.update(b);
          checkFixedHeaderByte(scratchLength, b);
          scratch[scratchLength++] = b;
          if (scratchLength == FIXED_HEADER) {
            flags = scratch[3] & 0xff;
            if (next(Field.FIXED)) {
              return true;
            }
          }
        }
        case EXTRA_LENGTH -> {
          byte b = input.get();
          headerCrc.update(b);
          scratch[scratchLength++] = b;
          if (scratchLength == 2) {
            extraRemaining = (scratch[0] & 0xff) | (scratch[1] & 0xff) << 8;
            field = Field.EXTRA;
            if (extraRemaining == 0 && next(Field.EXTRA)) {
              return true;
            }
          }
        }
        case EXTRA -> {
          headerCrc.update(input.get());
          if (--extraRemaining == 0 && next(Field.EXTRA)) {
            return true;
          }
        }
        case NAME, COMMENT -> {
          byte b = input.get();
          headerCrc.update(b);
          if (b == 0 && next(field)) {
            return true;
          }
        }
        case HEADER_CRC -> {
          byte b = input.get();
          if (scratchLength == 0) {
            // The stored value covers every header byte before it, so freeze it now.
            int expected = (int) headerCrc.getValue() & 0xffff;
            scratch[2] = (byte) expected;
            scratch[3] = (byte) (expected >>> 8);
          }
          scratch[scratchLength++] = b;
          if (scratchLength == 2) {
            if (scratch[0] != scratch[2] || scratch[1] != scratch[3]) {
              throw fail(
                  "corrupt gzip header in member " + (members + 1) + ": header CRC mismatch");
            }
            return true;
          }
        }
      }
    }
    return false;
  }

  private void checkFixedHeaderByte(int index, byte b) {
    switch (index) {
      case 0, 1 -> {
        if (b != (index == 0 ? (byte) 0x1f : (byte) 0x8b)) {
          throw fail(
              members == 0
                  ? "not a gzip stream (bad magic bytes)"
                  : "unexpected bytes after gzip member "
                      + members
                      + " at input byte "
                      + memberStart
                      + ": not another gzip member");
        }
      }
      case 2 -> {
        if (b != 8) {
          throw fail(
              "unsupported gzip compression method "
                  + (b & 0xff)
                  + " in member "
                  + (members + 1)
                  + " (only deflate, 8, exists)");
        }
      }
      case 3 -> {
        if ((b & RESERVED_FLAGS) != 0) {
          throw fail(
              "corrupt gzip header in member "
                  + (members + 1)
                  + ": reserved flag bits set (0x"
                  + Integer.toHexString(b & 0xff)
                  + ")");
        }
      }
      default -> {}
    }
  }

  /** Moves to the first header field after {@code done} that is present; true if none is left. */
  private boolean next(Field done) {
    scratchLength = 0;
    Field[] fields = Field.values();
    for (int i = done.ordinal() + 1; i < fields.length; i++) {
      Field f = fields[i];
      boolean present =
          switch (f) {
            case FIXED, EXTRA -> false;
            case EXTRA_LENGTH -> (flags & FEXTRA) != 0;
            case NAME -> (flags & FNAME) != 0;
            case COMMENT -> (flags & FCOMMENT) != 0;
            case HEADER_CRC -> (flags & FHCRC) != 0;
          };
      if (present) {
        field = f;
        return false;
      }
    }
    return true;
  }

  private boolean fillScratch(int length) {
    int n = Math.min(length - scratchLength, input.remaining());
    input.get(scratch, scratchLength, n);
    scratchLength += n;
    return scratchLength == length;
  }

  private void verifyTrailer() {
    int storedCrc = littleEndianInt(0);
    int storedSize = littleEndianInt(4);
    if (storedCrc != (int) crc.getValue()) {
      throw fail(
          String.format(
              "gzip CRC mismatch in member %d: trailer says %08x, data gives %08x",
              members + 1, storedCrc, (int) crc.getValue()));
    }
    if (storedSize != (int) memberOut) {
      throw fail(
          "gzip size mismatch in member "
              + (members + 1)
              + ": trailer says "
              + Integer.toUnsignedString(storedSize)
              + " bytes (mod 2^32), data has "
              + memberOut);
    }
  }

  private int littleEndianInt(int at) {
    return (scratch[at] & 0xff)
        | (scratch[at + 1] & 0xff) << 8
        | (scratch[at + 2] & 0xff) << 16
        | (scratch[at + 3] & 0xff) << 24;
  }

  private static String describe(State state) {
    return switch (state) {
      case HEADER -> "in the header";
      case INFLATE -> "in the deflate data";
      case TRAILER -> "in the trailer";
      default -> state.name();
    };
  }

  @Override
  void release() {
    inflater.end();
  }
}
