package io.segmenttransfer.controller;

import io.netty.buffer.ByteBuf;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.http.limits.ListenerLimits;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * A push parser for a {@code multipart/form-data} body (RFC 7578) that passes on the bytes of the
 * first file part as they arrive and drops everything else, so an archive upload streams to the
 * deep store without being held in memory or spooled to disk. Netty's form decoder either buffers
 * parts or writes them to temporary files, which is why this exists.
 *
 * <p>The delimiter ({@code CRLF--boundary}) is found with a Knuth-Morris-Pratt automaton, so a
 * delimiter split across chunks is recognised and bytes that merely start like one are released as
 * soon as they cannot be one. Part headers are bounded to {@link #MAX_HEADER_BYTES}; the number of
 * parts and the size of every part but the captured file part (an archive, bounded by the archive
 * limits as it is decoded) by the listener's {@link ListenerLimits}: more parts is a bad request
 * (400), a bigger part 413.
 *
 * <p>With a {@link PartSink} it instead hands every part, by name, to the sink: the completion
 * protocol's commit sends two small named parts ({@code metadata.properties} and {@code
 * creation.meta}), and the same framing code reads them.
 *
 * <p>Not thread-safe; one request's chunks are fed in order. Public only for the controller's own
 * sub-packages ({@code completion}); not an API.
 */
public final class MultipartParser {

  /** Receives every part of a body, in order: {@code begin}, its bytes in pieces, {@code end}. */
  public interface PartSink {
    /** A part starts; {@code name} and {@code fileName} from its Content-Disposition, or null. */
    void begin(String name, String fileName);

    /** The next bytes of the current part; the array is the parser's, valid during the call. */
    void bytes(byte[] bytes, int offset, int length);

    void end();
  }

  static final int MAX_HEADER_BYTES = 16 * 1024;

  private enum State {
    BODY,
    AFTER_DELIMITER,
    HEADERS,
    EPILOGUE
  }

  private final byte[] delimiter;
  private final int[] fallback;

  private State state = State.BODY;

  /** How many delimiter bytes the input matched so far; those bytes are held back. */
  private int matched = 2; // the body starts with "--boundary": treat it as if a CRLF preceded it

  private boolean capturing;
  private boolean fileDone;
  private String fileName;
  private int afterDelimiter;
  private byte[] headers = new byte[256];
  private int headerLength;
  private long fileBytes;
  private final PartSink sink;
  private final int maxParts;
  private final long maxPartBytes;
  private int parts;
  private long partBytes;

  public MultipartParser(String boundary) {
    this(boundary, null);
  }

  /** A parser that hands every part to {@code sink} ({@link #feed} then returns null). */
  public MultipartParser(String boundary, PartSink sink) {
    this(boundary, sink, ListenerLimits.defaults());
  }

  /**
   * A parser bounded by {@code limits} (those of the request's listener, {@link
   * ListenerLimits#of}); {@code sink} may be null (the file part is captured).
   */
  public MultipartParser(String boundary, PartSink sink, ListenerLimits limits) {
    this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    this.fallback = failureFunction(delimiter);
    this.sink = sink;
    this.maxParts = limits.maxMultipartParts();
    this.maxPartBytes = limits.maxMultipartPartBytes();
  }

  /** The boundary of a {@code multipart/form-data} content type, or null when it is not one. */
  public static String boundary(String contentType) {
    if (contentType == null
        || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      return null;
    }
    for (String param : contentType.split(";")) {
      String p = param.trim();
      if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
        String value = p.substring("boundary=".length()).trim();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        if (value.isEmpty() || value.length() > 200) {
          throw new InvalidRequestException(null, "multipart boundary is empty or too long");
        }
        return value;
      }
    }
    throw new InvalidRequestException(null, "multipart/form-data request without a boundary");
  }

  /**
   * Parses the next chunk of the body. The chunk's readable bytes are consumed; the caller keeps
   * ownership of (and releases) the chunk.
   *
   * @return the file part's bytes found in this chunk, in a new heap buffer, or null when none
   */
  public ByteBuffer feed(ByteBuf chunk) {
    int n = chunk.readableBytes();
    byte[] in = new byte[n];
    chunk.readBytes(in);
    byte[] out = null;
    int outLength = 0;
    int i = 0;
    while (i < n) {
      switch (state) {
        case BODY -> {
          if (capturing && out == null) {
            out = new byte[n + delimiter.length];
          }
          if (matched == 0) {
            // Fast path: everything before the next CR is part data.
            int cr = i;
            while (cr < n && in[cr] != '\r') {
              cr++;
            }
            if (capturing) {
              System.arraycopy(in, i, out, outLength, cr - i);
              outLength += cr - i;
            }
            counted(cr - i);
            i = cr;
            if (i == n) {
              break;
            }
          }
          byte b = in[i++];
          int next = step(matched, b);
          int released = matched + 1 - next;
          counted(released);
          if (capturing) {
            for (int j = 0; j < released; j++) {
              out[outLength++] = j < matched ? delimiter[j] : b;
            }
          }
          matched = next;
          if (matched == delimiter.length) {
            if (sink != null && capturing) {
              sink.bytes(out, 0, outLength);
              outLength = 0;
              sink.end();
            }
            endOfPart();
          }
        }
        case AFTER_DELIMITER -> afterDelimiter(in[i++]);
        case HEADERS -> header(in[i++]);
        case EPILOGUE -> i = n;
      }
    }
    if (outLength == 0) {
      return null;
    }
    if (sink != null) {
      sink.bytes(out, 0, outLength);
      return null;
    }
    fileBytes += outLength;
    return ByteBuffer.wrap(out, 0, outLength);
  }

  /** Checks that the body ended after its closing delimiter and held a file part. */
  public void finish() {
    if (state != State.EPILOGUE) {
      throw new InvalidRequestException(null, "multipart body is truncated: no closing boundary");
    }
    if (sink == null && !fileDone) {
      throw new InvalidRequestException(null, "multipart upload has no file part");
    }
  }

  /** The file name the file part declared, or null before its headers were read. */
  String fileName() {
    return fileName;
  }

  long fileBytes() {
    return fileBytes;
  }

  /** Counts bytes of the current part; every part but the captured archive is bounded. */
  private void counted(int bytes) {
    partBytes += bytes;
    if (partBytes > maxPartBytes && (sink != null || !capturing) && state == State.BODY) {
      throw new HttpStatusException(413, "multipart part over " + maxPartBytes + " bytes");
    }
  }

  private void endOfPart() {
    if (capturing) {
      capturing = false;
      fileDone = true;
    }
    matched = 0;
    afterDelimiter = 0;
    state = State.AFTER_DELIMITER;
  }

  private void afterDelimiter(byte b) {
    // "--" closes the body; otherwise optional transport padding, then CRLF and the next part.
    if (afterDelimiter == 0 && b == '-') {
      afterDelimiter = '-';
    } else if (afterDelimiter == '-') {
      if (b != '-') {
        throw malformed("expected '--' after the boundary");
      }
      state = State.EPILOGUE;
    } else if (afterDelimiter == '\r') {
      if (b != '\n') {
        throw malformed("expected CRLF after the boundary");
      }
      headerLength = 0;
      state = State.HEADERS;
    } else if (b == '\r') {
      afterDelimiter = '\r';
    } else if (b != ' ' && b != '\t') {
      throw malformed("unexpected byte after the boundary");
    }
  }

  private void header(byte b) {
    if (headerLength == MAX_HEADER_BYTES) {
      throw malformed("part headers longer than " + MAX_HEADER_BYTES + " bytes");
    }
    if (headerLength == headers.length) {
      headers = Arrays.copyOf(headers, Math.min(MAX_HEADER_BYTES, headers.length * 2));
    }
    headers[headerLength++] = b;
    boolean empty = headerLength == 2 && headers[0] == '\r' && headers[1] == '\n';
    boolean end =
        headerLength >= 4
            && headers[headerLength - 4] == '\r'
            && headers[headerLength - 3] == '\n'
            && headers[headerLength - 2] == '\r'
            && headers[headerLength - 1] == '\n';
    if (empty || end) {
      if (++parts > maxParts) {
        throw malformed("more than " + maxParts + " parts");
      }
      partBytes = 0;
      String headerBlock = new String(headers, 0, headerLength, StandardCharsets.UTF_8);
      String file = dispositionParameter(headerBlock, "filename");
      if (sink != null) {
        sink.begin(dispositionParameter(headerBlock, "name"), file);
        capturing = true;
        matched = 0;
        state = State.BODY;
        return;
      }
      capturing = !fileDone && !capturingStarted() && file != null;
      if (capturing) {
        fileName = file;
      }
      matched = 0;
      state = State.BODY;
    }
  }

  private boolean capturingStarted() {
    return fileName != null;
  }

  /**
   * A parameter ({@code name}, {@code filename}) of a {@code Content-Disposition: form-data}
   * header, or null.
   */
  private static String dispositionParameter(String headerBlock, String parameter) {
    for (String line : headerBlock.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon < 0 || !line.substring(0, colon).trim().equalsIgnoreCase("content-disposition")) {
        continue;
      }
      for (String param : line.substring(colon + 1).split(";")) {
        String p = param.trim();
        int eq = p.indexOf('=');
        if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase(parameter)) {
          String value = p.substring(eq + 1).trim();
          if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
          }
          return value;
        }
      }
    }
    return null;
  }

  private int step(int m, byte b) {
    while (m > 0 && delimiter[m] != b) {
      m = fallback[m - 1];
    }
    return delimiter[m] == b ? m + 1 : 0;
  }

  /** {@code f[k]}: the longest proper prefix of {@code p[0..k]} that is also its suffix. */
  private static int[] failureFunction(byte[] p) {
    int[] f = new int[p.length];
    int k = 0;
    for (int i = 1; i < p.length; i++) {
      while (k > 0 && p[i] != p[k]) {
        k = f[k - 1];
      }
      if (p[i] == p[k]) {
        k++;
      }
      f[i] = k;
    }
    return f;
  }

  private static InvalidRequestException malformed(String why) {
    return new InvalidRequestException(null, "malformed multipart body: " + why);
  }
}
