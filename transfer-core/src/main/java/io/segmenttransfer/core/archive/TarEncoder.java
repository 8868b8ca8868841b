package io.segmenttransfer.core.archive;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The header side of a streaming tar writer: it produces the header bytes of each entry, and the
 * caller streams the file's data (followed by {@link #padding}) in between, so an archive of a
 * directory is built on the fly without a temporary file.
 *
 * <p>Headers are POSIX ustar (name and 155-byte prefix). A path that does not fit, or is not ASCII,
 * gets a PAX extended header with a UTF-8 {@code path} record first, as Pinot's commons-compress
 * does with {@code LONGFILE_POSIX}; a size of 8 GiB or more gets a PAX {@code size} record and a
 * base-256 size field. Directories are written as {@code path/} with mode 0755, files with mode
 * 0644, owned by uid/gid 0 with empty user and group names.
 *
 * <p>An archive is: for each entry its header, then for a file its {@code size} data bytes and
 * {@code padding(size)}; then {@link #end()}. Stateless and thread-safe; every call returns a new
 * heap buffer positioned at 0 that the caller owns.
 */
public final class TarEncoder {

  private static final int BLOCK = TarDecoder.BLOCK;
  private static final int NAME_LEN = 100;
  private static final int PREFIX_LEN = 155;

  /** The largest value an 11-digit octal field holds: 8 GiB - 1 for sizes. */
  private static final long MAX_OCTAL_11 = 077777777777L;

  private static final int DIRECTORY_MODE = 0755;
  private static final int FILE_MODE = 0644;
  private static final String PAX_DIRECTORY = "PaxHeaders/";

  /** The header of a directory entry (no data follows). */
  public ByteBuffer directoryHeader(String path, long mtimeMillis) {
    return header(checkPath(path) + "/", '5', 0, DIRECTORY_MODE, mtimeMillis);
  }

  /** The header of a regular file; {@code size} data bytes and {@link #padding} must follow. */
  public ByteBuffer fileHeader(String path, long size, long mtimeMillis) {
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size + " for " + path);
    }
    return header(checkPath(path), '0', size, FILE_MODE, mtimeMillis);
  }

  /** Zeros from the end of {@code size} data bytes to the next 512-byte boundary; may be empty. */
  public static ByteBuffer padding(long size) {
    return ByteBuffer.allocate(TarDecoder.padding(size));
  }

  /** The end-of-archive marker: two zero blocks. */
  public ByteBuffer end() {
    return ByteBuffer.allocate(2 * BLOCK);
  }

  private static ByteBuffer header(String name, char type, long size, int mode, long mtimeMillis) {
    long mtime = Math.max(0, Math.min(Math.floorDiv(mtimeMillis, 1000), MAX_OCTAL_11));
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    int split = ustarSplit(name, nameBytes);
    boolean bigSize = size > MAX_OCTAL_11;
    if (split != -1 && !bigSize) {
      ByteBuffer out = ByteBuffer.allocate(BLOCK);
      writeUstar(out, nameBytes, split, type, size, mode, mtime);
      return out.flip();
    }
    StringBuilder records = new StringBuilder();
    if (split == -1) {
      appendRecord(records, "path", name);
    }
    if (bigSize) {
      appendRecord(records, "size", Long.toString(size));
    }
    byte[] pax = records.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(2 * BLOCK + pax.length + TarDecoder.padding(pax.length));
    byte[] paxName = ascii(PAX_DIRECTORY + baseName(name));
    writeUstar(out, paxName, -2, 'x', pax.length, FILE_MODE, mtime);
    out.put(pax);
    out.position(out.position() + TarDecoder.padding(pax.length));
    // Readers without PAX support still get a recognisable, ASCII, truncated name.
    byte[] fallback = split == -1 ? ascii(name) : nameBytes;
    writeUstar(out, fallback, split == -1 ? -2 : split, type, size, mode, mtime);
    return out.flip();
  }

  /**
   * Where to split a name into ustar prefix and name: -1 when it cannot be stored in ustar (too
   * long, or not ASCII, since the ustar fields have no defined charset), -2 when it needs no
   * prefix, otherwise the index of the separating slash.
   */
  private static int ustarSplit(String name, byte[] bytes) {
    if (bytes.length != name.length()) {
      return -1;
    }
    for (byte b : bytes) {
      if (b < 0x20 || b == 0x7f) {
        return -1;
      }
    }
    if (bytes.length <= NAME_LEN) {
      return -2;
    }
    // The first slash leaving at most 100 bytes (and at least one) for the name field gives
    // the longest name and shortest prefix; the prefix must then fit in 155.
    for (int i = bytes.length - NAME_LEN - 1; i < bytes.length - 1 && i <= PREFIX_LEN; i++) {
      if (i >= 1 && bytes[i] == '/') {
        return i;
      }
    }
    return -1;
  }

  /**
   * Writes one header block. {@code split} is the prefix separator in {@code name}, or -2 to put
   * {@code name} (truncated to 100 bytes) in the name field alone.
   */
  private static void writeUstar(
      ByteBuffer out, byte[] name, int split, char type, long size, int mode, long mtime) {
    byte[] h = new byte[BLOCK];
    if (split >= 0) {
      System.arraycopy(name, split + 1, h, 0, name.length - split - 1);
      System.arraycopy(name, 0, h, 345, split);
    } else {
      System.arraycopy(name, 0, h, 0, Math.min(name.length, NAME_LEN));
    }
    octal(h, 100, 8, mode);
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    if (size > MAX_OCTAL_11) {
      // Base-256 (GNU and star): marker bit, then the value big-endian in the remaining bytes.
      h[124] = (byte) 0x80;
      for (int i = 0; i < 8; i++) {
        h[135 - i] = (byte) (size >>> (8 * i));
      }
    } else {
      octal(h, 124, 12, size);
    }
    octal(h, 136, 12, mtime);
    h[156] = (byte) type;
    h[257] = 'u';
    h[258] = 's';
    h[259] = 't';
    h[260] = 'a';
    h[261] = 'r';
    h[263] = '0';
    h[264] = '0';
    octal(h, 329, 8, 0);
    octal(h, 337, 8, 0);
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : h[i] & 0xff;
    }
    // Six digits, NUL, space: the layout GNU tar and commons-compress write.
    octal(h, 148, 7, sum);
    h[155] = ' ';
    out.put(h);
  }

  /** {@code length - 1} zero-padded octal digits and a NUL. */
  private static void octal(byte[] h, int at, int length, long value) {
    long v = value;
    for (int i = at + length - 2; i >= at; i--) {
      h[i] = (byte) ('0' + (v & 7));
      v >>>= 3;
    }
    h[at + length - 1] = 0;
  }

  private static void appendRecord(StringBuilder records, String key, String value) {
    // "<length> <key>=<value>\n" where length counts itself: iterate until the digits settle.
    int body = key.length() + value.getBytes(StandardCharsets.UTF_8).length + 3;
    int length = body + Integer.toString(body).length();
    if (Integer.toString(length).length() != Integer.toString(body).length()) {
      length = body + Integer.toString(length).length();
    }
    records.append(length).append(' ').append(key).append('=').append(value).append('\n');
  }

  private static String checkPath(String path) {
    if (path == null
        || path.isEmpty()
        || path.startsWith("/")
        || path.endsWith("/")
        || path.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("invalid archive path " + path);
    }
    for (String part : path.split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        throw new IllegalArgumentException("invalid archive path " + path);
      }
    }
    return path;
  }

  private static String baseName(String name) {
    String trimmed = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    return trimmed.substring(trimmed.lastIndexOf('/') + 1);
  }

  private static byte[] ascii(String s) {
    byte[] b = new byte[Math.min(s.length(), NAME_LEN)];
    for (int i = 0; i < b.length; i++) {
      char c = s.charAt(i);
      b[i] = (byte) (c >= 0x20 && c < 0x7f ? c : '_');
    }
    return b;
  }
}
