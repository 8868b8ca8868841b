package io.segmenttransfer.core.archive;

import io.segmenttransfer.core.error.InvalidArchiveException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A push parser for a tar stream (already decompressed), fed chunk by chunk in any sizes, so that
 * an archive is extracted in the same pass that downloads it, with no tar file on disk.
 *
 * <p>Reads ustar (with the 155-byte name prefix; star's 131-byte variant), old GNU and v7 headers,
 * GNU long names ({@code L}; long link names {@code K} are read and dropped), PAX extended headers
 * ({@code x}: {@code path} and {@code size} honoured, other keys ignored; global {@code g} headers
 * read and ignored), and numbers in octal or base-256 (GNU/star), so entries over 8 GiB work. Every
 * header checksum is verified.
 *
 * <p>Only regular files and directories are extracted. Links, devices, FIFOs, sparse files and
 * unknown entry types refuse the whole archive, as do paths that are absolute, contain {@code ..},
 * a NUL character, or are empty: a segment never needs them, and a partial extraction of a hostile
 * archive is worse than none. A directory entry naming the root itself ({@code ./}) is skipped.
 *
 * <p>File data reaches the listener as views of the caller's buffers (no copy); only headers that
 * straddle chunks are assembled in a 512-byte buffer, and extended-header bodies are buffered up to
 * {@link #MAX_EXTENDED_HEADER_BYTES}. Memory is therefore bounded whatever the archive holds.
 *
 * <p>Not thread-safe. After any exception (from the archive or from the listener) the decoder is
 * unusable and further calls throw {@link IllegalStateException}.
 */
public final class TarDecoder {

  /** The largest GNU long-name or PAX body accepted; real ones are a few hundred bytes. */
  public static final int MAX_EXTENDED_HEADER_BYTES = 1 << 20;

  static final int BLOCK = 512;

  private static final int MAX_QUOTED_CHARS = 400;
  private static final byte[] ZERO_BLOCK = new byte[BLOCK];
  private static final int NAME = 0;
  private static final int NAME_LEN = 100;
  private static final int SIZE = 124;
  private static final int SIZE_LEN = 12;
  private static final int CHECKSUM = 148;
  private static final int CHECKSUM_LEN = 8;
  private static final int TYPE = 156;
  private static final int LINK_NAME = 157;
  private static final int MAGIC = 257;
  private static final int PREFIX = 345;
  private static final int PREFIX_LEN = 155;
  private static final int XSTAR_PREFIX_LEN = 131;
  private static final int XSTAR_MAGIC = 508;
  private static final byte[] USTAR_MAGIC = {'u', 's', 't', 'a', 'r', 0};
  private static final byte[] XSTAR_TAIL = {'t', 'a', 'r', 0};

  private enum State {
    HEADER,
    EXTENDED,
    DATA,
    PADDING,
    END
  }

  private final String subject;
  private final TarEntryListener listener;

  private final byte[] header = new byte[BLOCK];
  private int headerFill;
  private State state = State.HEADER;
  private boolean zeroBlockSeen;
  private boolean failed;
  private long offset;
  private long entries;

  /** The current or last entry's name as the archive spells it, for messages. */
  private String entry;

  private long entryAt;
  private long entrySize;

  /** Bytes left in the current file's data or extended-header body. */
  private long remaining;

  /** Bytes of padding left after the current data or body. */
  private int padding;

  private byte extendedType;
  private long extendedStart;
  private byte[] extended = new byte[0];
  private int extendedFill;

  // Extended headers apply to the next real entry only; PAX wins over GNU long names.
  private String longName;
  private String longLinkName;
  private String paxPath;
  private String paxLinkPath;
  private long paxSize = -1;
  private boolean paxSparse;

  // A reusable view of the caller's buffer: decompressors hand over the same buffer every time,
  // so file data costs no allocation per chunk.
  private ByteBuffer viewSource;
  private ByteBuffer view;

  /**
   * @param subject the segment or archive named in every error message
   * @param listener receives the entries in archive order
   */
  public TarDecoder(String subject, TarEntryListener listener) {
    if (listener == null) {
      throw new IllegalArgumentException("listener is null");
    }
    this.subject = subject;
    this.listener = listener;
  }

  /**
   * Consumes all remaining bytes of {@code data} (its position ends at its limit), calling the
   * listener for every entry, or part of one, they complete. Bytes after the end-of-archive blocks
   * are ignored (tar record padding).
   *
   * @throws InvalidArchiveException when the bytes are not a valid, safe archive
   */
  public void decode(ByteBuffer data) {
    checkUsable();
    try {
      while (data.hasRemaining()) {
        switch (state) {
          case HEADER -> readHeader(data);
          case DATA -> readData(data);
          case PADDING -> skipPadding(data);
          case EXTENDED -> readExtended(data);
          case END -> {
            offset += data.remaining();
            data.position(data.limit());
          }
        }
      }
    } catch (RuntimeException | Error e) {
      failed = true;
      throw e;
    }
  }

  /** True once the end-of-archive marker (two zero blocks) was read. */
  public boolean isComplete() {
    return state == State.END;
  }

  /** The number of files and directories passed to the listener so far. */
  public long entries() {
    return entries;
  }

  /**
   * Declares the end of the input.
   *
   * @throws InvalidArchiveException when the archive is incomplete (cut in a header, in file data,
   *     in padding, or before its end-of-archive blocks)
   */
  public void finish() {
    checkUsable();
    viewSource = null;
    view = null;
    if (state == State.END) {
      return;
    }
    failed = true;
    throw switch (state) {
      case DATA ->
          invalid(
              "archive is truncated in the data of entry "
                  + quote(entry)
                  + ": "
                  + remaining
                  + " of "
                  + entrySize
                  + " bytes missing");
      case PADDING ->
          invalid(
              "archive is truncated in the padding after entry "
                  + quote(entry)
                  + " at byte "
                  + offset);
      case EXTENDED ->
          invalid(
              "archive is truncated in an extended header (type "
                  + describeType(extendedType)
                  + ") at byte "
                  + extendedStart
                  + ", "
                  + after());
      default -> truncatedBetweenEntries();
    };
  }

  private InvalidArchiveException truncatedBetweenEntries() {
    if (headerFill > 0) {
      return invalid(
          "archive is truncated in a header at byte " + (offset - headerFill) + ", " + after());
    }
    if (hasPendingExtendedHeader()) {
      return invalid("archive ends after an extended header with no entry, " + after());
    }
    if (zeroBlockSeen) {
      return invalid(
          "archive is missing its second end-of-archive block at byte " + offset + ", " + after());
    }
    return invalid(
        "archive ends at byte " + offset + " without its end-of-archive blocks, " + after());
  }

  private void checkUsable() {
    if (failed) {
      throw new IllegalStateException("tar decoder for " + subject + " already failed");
    }
  }

  private void readHeader(ByteBuffer data) {
    int n = Math.min(BLOCK - headerFill, data.remaining());
    data.get(header, headerFill, n);
    headerFill += n;
    offset += n;
    if (headerFill == BLOCK) {
      headerFill = 0;
      onHeader();
    }
  }

  private void onHeader() {
    long at = offset - BLOCK;
    if (Arrays.equals(header, ZERO_BLOCK)) {
      if (hasPendingExtendedHeader()) {
        throw invalid(
            "extended header is followed by the end of the archive at byte " + at + ", " + after());
      }
      if (zeroBlockSeen) {
        state = State.END;
        viewSource = null;
        view = null;
      }
      zeroBlockSeen = true;
      return;
    }
    if (zeroBlockSeen) {
      // One zero block then more headers: either a corrupt archive or one concatenated with
      // another; silently dropping or extracting the rest would both be wrong.
      throw invalid("header at byte " + at + " follows an end-of-archive block, " + after());
    }
    verifyChecksum(at);
    byte type = header[TYPE];
    long size = parseNumber(SIZE, SIZE_LEN, "size", at);
    switch (type) {
      case 'L', 'K', 'x', 'g' -> startExtended(type, size, at);
      default -> startEntry(type, size, at);
    }
  }

  private void verifyChecksum(long at) {
    long stored = parseOctal(CHECKSUM, CHECKSUM_LEN, "checksum", at);
    long unsigned = 0;
    long signed = 0;
    for (int i = 0; i < BLOCK; i++) {
      byte b = (i >= CHECKSUM && i < CHECKSUM + CHECKSUM_LEN) ? (byte) ' ' : header[i];
      unsigned += b & 0xff;
      signed += b;
    }
    // Some old tars (Sun, early GNU) summed signed chars; both are accepted, as GNU tar does.
    if (stored != unsigned && stored != signed) {
      throw invalid(
          "corrupt tar header at byte "
              + at
              + " (checksum "
              + stored
              + " does not match "
              + unsigned
              + "), "
              + after());
    }
  }

  private void startExtended(byte type, long size, long at) {
    if (size > MAX_EXTENDED_HEADER_BYTES) {
      throw invalid(
          "extended header (type "
              + describeType(type)
              + ") at byte "
              + at
              + " is "
              + size
              + " bytes, over the limit of "
              + MAX_EXTENDED_HEADER_BYTES
              + ", "
              + after());
    }
    int length = (int) size;
    if (extended.length < length) {
      int grown = Math.min(2 * extended.length, MAX_EXTENDED_HEADER_BYTES);
      extended = new byte[Math.max(length, grown)];
    }
    extendedType = type;
    extendedStart = at;
    extendedFill = 0;
    remaining = length;
    padding = padding(length);
    if (length == 0) {
      endOfBody();
      onExtended();
    } else {
      state = State.EXTENDED;
    }
  }

  private void readExtended(ByteBuffer data) {
    int n = (int) Math.min(remaining, data.remaining());
    data.get(extended, extendedFill, n);
    extendedFill += n;
    remaining -= n;
    offset += n;
    if (remaining == 0) {
      endOfBody();
      onExtended();
    }
  }

  private void onExtended() {
    switch (extendedType) {
      case 'L' -> longName = cString(extended, 0, extendedFill, true);
      case 'K' -> longLinkName = cString(extended, 0, extendedFill, true);
      case 'x' -> parsePax(true);
      default -> parsePax(false);
    }
  }

  private void parsePax(boolean apply) {
    byte[] b = extended;
    int len = extendedFill;
    int p = 0;
    while (p < len) {
      if (b[p] == 0) {
        // Tolerate NUL padding after the last record, which some writers leave.
        while (p < len && b[p] == 0) {
          p++;
        }
        if (p < len) {
          throw malformedPax(p);
        }
        break;
      }
      int start = p;
      long recordLength = 0;
      while (p < len && b[p] >= '0' && b[p] <= '9') {
        recordLength = recordLength * 10 + (b[p] - '0');
        if (recordLength > len) {
          throw malformedPax(start);
        }
        p++;
      }
      int end = start + (int) recordLength;
      if (p == start
          || p >= len
          || b[p] != ' '
          || end > len
          || end <= p + 1
          || b[end - 1] != '\n') {
        throw malformedPax(start);
      }
      int keyStart = p + 1;
      int eq = keyStart;
      while (eq < end - 1 && b[eq] != '=') {
        eq++;
      }
      if (eq == end - 1 || eq == keyStart) {
        throw malformedPax(start);
      }
      if (apply) {
        applyPax(
            new String(b, keyStart, eq - keyStart, StandardCharsets.UTF_8),
            new String(b, eq + 1, end - 1 - (eq + 1), StandardCharsets.UTF_8),
            start);
      }
      p = end;
    }
  }

  private void applyPax(String key, String value, int recordStart) {
    // An empty value removes the keyword (POSIX): the header field applies again.
    switch (key) {
      case "path" -> paxPath = value.isEmpty() ? null : value;
      case "linkpath" -> paxLinkPath = value.isEmpty() ? null : value;
      case "size" -> paxSize = value.isEmpty() ? -1 : parsePaxSize(value, recordStart);
      default -> {
        if (key.startsWith("GNU.sparse.")) {
          paxSparse = true;
        }
      }
    }
  }

  private long parsePaxSize(String value, int recordStart) {
    long v = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9' || v > (Long.MAX_VALUE - (c - '0')) / 10) {
        throw invalid(
            "PAX header at byte "
                + extendedStart
                + " has an invalid size "
                + quote(value)
                + ", "
                + after());
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private InvalidArchiveException malformedPax(int at) {
    return invalid(
        "malformed PAX header at byte "
            + extendedStart
            + " (record at body offset "
            + at
            + "), "
            + after());
  }

  private boolean hasPendingExtendedHeader() {
    return longName != null
        || longLinkName != null
        || paxPath != null
        || paxLinkPath != null
        || paxSize >= 0
        || paxSparse;
  }

  private void startEntry(byte type, long headerSize, long at) {
    String raw = paxPath != null ? paxPath : longName != null ? longName : headerName();
    long size = paxSize >= 0 ? paxSize : headerSize;
    String linkName =
        paxLinkPath != null
            ? paxLinkPath
            : longLinkName != null ? longLinkName : cString(header, LINK_NAME, NAME_LEN, false);
    boolean sparse = paxSparse;
    longName = null;
    longLinkName = null;
    paxPath = null;
    paxLinkPath = null;
    paxSize = -1;
    paxSparse = false;
    entry = raw;
    entryAt = at;
    entrySize = size;
    switch (type) {
      case '0', 0, '7' -> {
        if (sparse) {
          throw refused(raw, type, "a GNU sparse file (PAX GNU.sparse records)", linkName);
        }
        // BSD and GNU tar treat a regular entry named with a trailing slash as a directory.
        if (raw.endsWith("/")) {
          directory(raw, size, at);
        } else {
          file(raw, size);
        }
      }
      case '5' -> directory(raw, size, at);
      case '1' -> throw refused(raw, type, "a hard link", linkName);
      case '2' -> throw refused(raw, type, "a symbolic link", linkName);
      case '3' -> throw refused(raw, type, "a character device", null);
      case '4' -> throw refused(raw, type, "a block device", null);
      case '6' -> throw refused(raw, type, "a FIFO", null);
      case 'S' -> throw refused(raw, type, "a GNU sparse file", null);
      default -> throw refused(raw, type, "of an unsupported type", null);
    }
  }

  private void directory(String raw, long size, long at) {
    if (size != 0) {
      // Readers disagree on whether data follows a directory header; refusing avoids an archive
      // that extracts differently here than in other tools.
      throw invalid(
          "directory entry "
              + quote(raw)
              + " at byte "
              + at
              + " declares "
              + size
              + " bytes of data");
    }
    String path = normalise(raw);
    state = State.HEADER;
    if (path.isEmpty()) {
      return; // "./": the extraction root itself, which exists already
    }
    entries++;
    listener.directory(path);
  }

  private void file(String raw, long size) {
    String path = normalise(raw);
    if (path.isEmpty()) {
      throw invalid("invalid entry name " + quote(raw) + ": a file cannot be the target directory");
    }
    entries++;
    remaining = size;
    padding = padding(size);
    listener.fileStart(path, size);
    if (size == 0) {
      state = State.HEADER;
      listener.fileEnd();
    } else {
      state = State.DATA;
    }
  }

  private void readData(ByteBuffer data) {
    int n = (int) Math.min(remaining, data.remaining());
    int pos = data.position();
    ByteBuffer slice = view(data, pos, n);
    data.position(pos + n);
    offset += n;
    remaining -= n;
    listener.fileData(slice);
    if (remaining == 0) {
      endOfBody();
      listener.fileEnd();
    }
  }

  private ByteBuffer view(ByteBuffer data, int pos, int n) {
    if (data != viewSource) {
      viewSource = data;
      view = data.duplicate();
    }
    view.limit(pos + n);
    view.position(pos);
    return view;
  }

  private void endOfBody() {
    state = padding > 0 ? State.PADDING : State.HEADER;
  }

  private void skipPadding(ByteBuffer data) {
    int n = Math.min(padding, data.remaining());
    data.position(data.position() + n);
    offset += n;
    padding -= n;
    if (padding == 0) {
      state = State.HEADER;
    }
  }

  /** The name from the header block: ustar joins the prefix field; old GNU and v7 have none. */
  private String headerName() {
    String name = cString(header, NAME, NAME_LEN, false);
    if (!matches(MAGIC, USTAR_MAGIC)) {
      return name;
    }
    int prefixLength = matches(XSTAR_MAGIC, XSTAR_TAIL) ? XSTAR_PREFIX_LEN : PREFIX_LEN;
    String prefix = cString(header, PREFIX, prefixLength, false);
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  private boolean matches(int at, byte[] expected) {
    return Arrays.equals(header, at, at + expected.length, expected, 0, expected.length);
  }

  /**
   * Makes {@code raw} relative and canonical ({@code ./} and repeated or trailing slashes dropped),
   * refusing anything that could leave the extraction root.
   *
   * @return the normalised path; empty when {@code raw} names the root itself
   */
  private String normalise(String raw) {
    if (raw.isEmpty()) {
      throw invalid("invalid entry name " + quote(raw) + " (empty) at byte " + entryAt);
    }
    if (raw.indexOf('\0') >= 0) {
      throw invalid("invalid entry name " + quote(raw) + " (contains a NUL character)");
    }
    if (raw.charAt(0) == '/') {
      throw invalid("entry " + quote(raw) + " escapes the target directory (absolute path)");
    }
    StringBuilder path = new StringBuilder(raw.length());
    int start = 0;
    while (start <= raw.length()) {
      int end = raw.indexOf('/', start);
      if (end < 0) {
        end = raw.length();
      }
      int length = end - start;
      if (length == 2 && raw.charAt(start) == '.' && raw.charAt(start + 1) == '.') {
        throw invalid("entry " + quote(raw) + " escapes the target directory (.. component)");
      }
      if (length > 0 && !(length == 1 && raw.charAt(start) == '.')) {
        if (path.length() > 0) {
          path.append('/');
        }
        path.append(raw, start, end);
      }
      start = end + 1;
    }
    return path.toString();
  }

  private long parseNumber(int at, int length, String field, long headerAt) {
    byte first = header[at];
    if ((first & 0x80) == 0) {
      return parseOctal(at, length, field, headerAt);
    }
    // Base-256 (GNU and star big numbers): the rest of the field is a big-endian two's
    // complement number; negative values (sign bit 0x40 of the first byte) are never valid here.
    if ((first & 0x40) != 0) {
      throw invalidField(field, headerAt);
    }
    long v = first & 0x3f;
    for (int i = 1; i < length; i++) {
      if ((v >>> 55) != 0) {
        throw invalidField(field, headerAt);
      }
      v = (v << 8) | (header[at + i] & 0xff);
    }
    return v;
  }

  private long parseOctal(int at, int length, String field, long headerAt) {
    int i = at;
    int end = at + length;
    while (i < end && header[i] == ' ') {
      i++;
    }
    long v = 0;
    while (i < end && header[i] >= '0' && header[i] <= '7') {
      if ((v >>> 60) != 0) {
        throw invalidField(field, headerAt);
      }
      v = (v << 3) | (header[i] - '0');
      i++;
    }
    while (i < end && (header[i] == 0 || header[i] == ' ')) {
      i++;
    }
    if (i != end) {
      throw invalidField(field, headerAt);
    }
    return v;
  }

  private InvalidArchiveException invalidField(String field, long headerAt) {
    return invalid(
        "corrupt tar header at byte " + headerAt + " (invalid " + field + " field), " + after());
  }

  private InvalidArchiveException refused(String raw, byte type, String what, String linkName) {
    String target = linkName == null || linkName.isEmpty() ? "" : " to " + quote(linkName);
    return invalid(
        "entry "
            + quote(raw)
            + " is "
            + what
            + target
            + " (type "
            + describeType(type)
            + "): only regular files and directories are allowed");
  }

  private InvalidArchiveException invalid(String message) {
    return new InvalidArchiveException(subject, message);
  }

  private String after() {
    return entry == null ? "before the first entry" : "after entry " + quote(entry);
  }

  static int padding(long size) {
    return (int) (-size & (BLOCK - 1));
  }

  /**
   * A NUL-terminated string; for extended-header bodies only trailing NULs end it, so an embedded
   * NUL survives and the name is refused rather than silently truncated.
   */
  private static String cString(byte[] b, int at, int length, boolean body) {
    int end = at;
    if (body) {
      end = at + length;
      while (end > at && b[end - 1] == 0) {
        end--;
      }
    } else {
      while (end < at + length && b[end] != 0) {
        end++;
      }
    }
    return new String(b, at, end - at, StandardCharsets.UTF_8);
  }

  private static String describeType(byte type) {
    return type >= 0x20 && type < 0x7f ? "'" + (char) type + "'" : String.format("0x%02x", type);
  }

  /**
   * Quotes a name for a message, escaping control characters so that a name cannot forge log lines,
   * and shortening names of hostile length.
   */
  static String quote(String name) {
    int shown = Math.min(name.length(), MAX_QUOTED_CHARS);
    StringBuilder s = new StringBuilder(shown + 8).append('\'');
    for (int i = 0; i < shown; i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        s.append(String.format("\\x%02x", (int) c));
      } else {
        s.append(c);
      }
    }
    if (shown < name.length()) {
      s.append("...");
    }
    return s.append('\'').toString();
  }
}
