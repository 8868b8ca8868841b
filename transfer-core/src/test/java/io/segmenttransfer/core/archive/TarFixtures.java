package io.segmenttransfer.core.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Tar archives for tests, written by commons-compress (the library Pinot itself uses, so an
 * implementation independent of {@link TarEncoder}) or, for what no sane writer produces, block by
 * block by hand.
 *
 * <p>Trees are maps from path to content in iteration order (use a {@code LinkedHashMap} or {@code
 * TreeMap}); a path ending in {@code /} is a directory and its value is ignored.
 */
public final class TarFixtures {

  /** The benign entries the malicious archives start with, so a refusal comes mid-archive. */
  public static final String SEGMENT_DIR = "segment/";

  public static final String SEGMENT_FILE = "segment/metadata.properties";

  private static final long MTIME_MILLIS = 1_700_000_000_000L;

  private TarFixtures() {}

  /** A tar of the tree with POSIX long names and big numbers, as Pinot writes it. */
  public static byte[] tar(Map<String, byte[]> tree) {
    return tar(tree, TarArchiveOutputStream.LONGFILE_POSIX, TarArchiveOutputStream.BIGNUMBER_POSIX);
  }

  /**
   * A tar of the tree written with the given commons-compress modes, e.g. {@code LONGFILE_GNU} with
   * {@code BIGNUMBER_STAR}.
   */
  public static byte[] tar(Map<String, byte[]> tree, int longFileMode, int bigNumberMode) {
    return tar(tree, longFileMode, bigNumberMode, false);
  }

  /**
   * As {@link #tar(Map, int, int)}; {@code paxForNonAscii} makes commons-compress write non-ASCII
   * names as PAX {@code path} records instead of raw UTF-8 in the header.
   */
  public static byte[] tar(
      Map<String, byte[]> tree, int longFileMode, int bigNumberMode, boolean paxForNonAscii) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = open(bytes, longFileMode, bigNumberMode)) {
      out.setAddPaxHeadersForNonAsciiNames(paxForNonAscii);
      for (Map.Entry<String, byte[]> e : tree.entrySet()) {
        if (e.getKey().endsWith("/")) {
          TarArchiveEntry dir = new TarArchiveEntry(e.getKey());
          dir.setModTime(MTIME_MILLIS);
          out.putArchiveEntry(dir);
        } else {
          writeFile(out, new TarArchiveEntry(e.getKey()), e.getValue());
        }
        out.closeArchiveEntry();
      }
      out.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** {@link #tar(Map)} compressed with gzip. */
  public static byte[] tarGz(Map<String, byte[]> tree) {
    return gzip(tar(tree));
  }

  public static byte[] gzip(byte[] data) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A file whose name is written exactly as given: {@code ../evil}, {@code /etc/passwd}. */
  public static byte[] fileNamed(String rawName, byte[] content) {
    return malicious(new TarArchiveEntry(rawName, true), content);
  }

  public static byte[] symlink(String name, String target) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
    e.setLinkName(target);
    return malicious(e, null);
  }

  public static byte[] hardLink(String name, String target) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
    e.setLinkName(target);
    return malicious(e, null);
  }

  public static byte[] charDevice(String name) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_CHR, true);
    e.setDevMajor(1);
    e.setDevMinor(3);
    return malicious(e, null);
  }

  public static byte[] blockDevice(String name) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_BLK, true);
    e.setDevMajor(8);
    return malicious(e, null);
  }

  public static byte[] fifo(String name) {
    return malicious(new TarArchiveEntry(name, TarConstants.LF_FIFO, true), null);
  }

  /** An entry of any type flag, with no data. */
  public static byte[] withType(String name, byte type) {
    return malicious(new TarArchiveEntry(name, type, true), null);
  }

  /**
   * One hand-made ustar header block with a correct checksum: name (up to 100 bytes, written
   * verbatim, NULs included), type flag and octal size.
   */
  public static byte[] header(byte[] name, byte type, long size) {
    byte[] h = new byte[512];
    System.arraycopy(name, 0, h, 0, Math.min(name.length, 100));
    octal(h, 100, 8, 0644);
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    octal(h, 124, 12, size);
    octal(h, 136, 12, MTIME_MILLIS / 1000);
    h[156] = type;
    byte[] magic = "ustar\00000".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(magic, 0, h, 257, magic.length);
    return withChecksum(h);
  }

  public static byte[] header(String name, char type, long size) {
    return header(name.getBytes(StandardCharsets.UTF_8), (byte) type, size);
  }

  /** Rewrites the checksum field of a header block after its bytes were changed. */
  public static byte[] withChecksum(byte[] h) {
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : h[i] & 0xff;
    }
    octal(h, 148, 7, sum);
    h[155] = ' ';
    return h;
  }

  /** A PAX extended header ({@code x}) block with its body and padding, from ready-made records. */
  public static byte[] paxHeader(String records) {
    byte[] body = records.getBytes(StandardCharsets.UTF_8);
    return concat(header("PaxHeaders/entry", 'x', body.length), body, padding(body.length));
  }

  /** A PAX record {@code "<len> key=value\n"}, its length computed. */
  public static String paxRecord(String key, String value) {
    int body = key.length() + value.getBytes(StandardCharsets.UTF_8).length + 3;
    int length = body + Integer.toString(body).length();
    if (Integer.toString(length).length() != Integer.toString(body).length()) {
      length = body + Integer.toString(length).length();
    }
    return length + " " + key + "=" + value + "\n";
  }

  /** A GNU long-name ({@code L}) entry whose body is {@code name} followed by one NUL. */
  public static byte[] gnuLongName(byte[] name) {
    byte[] body = concat(name, new byte[1]);
    return concat(header("././@LongLink", 'L', body.length), body, padding(body.length));
  }

  public static byte[] padding(long size) {
    return new byte[(int) (-size & 511)];
  }

  public static byte[] endOfArchive() {
    return new byte[1024];
  }

  public static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] malicious(TarArchiveEntry entry, byte[] content) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out =
        open(bytes, TarArchiveOutputStream.LONGFILE_GNU, TarArchiveOutputStream.BIGNUMBER_STAR)) {
      TarArchiveEntry dir = new TarArchiveEntry(SEGMENT_DIR);
      out.putArchiveEntry(dir);
      out.closeArchiveEntry();
      writeFile(out, new TarArchiveEntry(SEGMENT_FILE), "a=b\n".getBytes(StandardCharsets.UTF_8));
      out.closeArchiveEntry();
      if (content == null) {
        out.putArchiveEntry(entry);
      } else {
        writeFile(out, entry, content);
      }
      out.closeArchiveEntry();
      out.finish();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void writeFile(TarArchiveOutputStream out, TarArchiveEntry entry, byte[] content)
      throws IOException {
    entry.setSize(content.length);
    entry.setModTime(MTIME_MILLIS);
    out.putArchiveEntry(entry);
    out.write(content);
  }

  private static TarArchiveOutputStream open(
      ByteArrayOutputStream bytes, int longFileMode, int bigNumberMode) {
    // An explicit charset: the platform default under Maven may be ASCII.
    TarArchiveOutputStream out = new TarArchiveOutputStream(bytes, "UTF-8");
    out.setLongFileMode(longFileMode);
    out.setBigNumberMode(bigNumberMode);
    return out;
  }

  private static void octal(byte[] h, int at, int length, long value) {
    long v = value;
    for (int i = at + length - 2; i >= at; i--) {
      h[i] = (byte) ('0' + (v & 7));
      v >>>= 3;
    }
    h[at + length - 1] = 0;
  }
}
