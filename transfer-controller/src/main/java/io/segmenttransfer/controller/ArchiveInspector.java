package io.segmenttransfer.controller;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.archive.TarDecoder;
import io.segmenttransfer.core.archive.TarEntryListener;
import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.segment.CreationMeta;
import io.segmenttransfer.core.stream.ByteTransform;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Properties;

/**
 * Reads a segment archive as it streams past, without keeping or unpacking it: sniffs the codec,
 * decompresses, walks the tar entries and captures only {@code metadata.properties} and
 * {@code creation.meta}. The whole archive is decoded, so a corrupt or truncated upload is refused
 * before it is committed. Memory: the decoder's window, one output buffer and the two small files.
 *
 * <p>Not thread-safe; fed in order by one upload.
 */
final class ArchiveInspector implements TarEntryListener {

  static final String METADATA_PROPERTIES = "metadata.properties";
  /** Real metadata.properties files are a few KiB; this bounds what one upload can make us hold. */
  static final int MAX_METADATA_BYTES = 8 * 1024 * 1024;
  private static final int MAX_CREATION_META_BYTES = 1024;
  private static final int OUTPUT_BUFFER = 64 * 1024;

  private final String subject;
  private final ByteBuffer head = ByteBuffer.allocate(Codec.SNIFF_BYTES);
  private final ByteBuffer out = ByteBuffer.allocate(OUTPUT_BUFFER);
  private final TarDecoder tar;
  private Codec codec;
  private ByteTransform decoder;
  private long size;

  private String segmentDirectory;
  /** Depth (path components) of the captured metadata.properties; a shallower one wins. */
  private int metadataDepth = Integer.MAX_VALUE;
  private byte[] metadata;
  private byte[] creationMeta;
  private byte[] capture;
  private int captureLength;
  private int captureDepth;
  private boolean capturingMetadata;

  ArchiveInspector(String subject) {
    this.subject = subject;
    this.tar = new TarDecoder(subject, this);
  }

  /**
   * Inspects the next chunk. The chunk's position and contents are left as they are: the same
   * buffer goes on to the deep store.
   *
   * @throws InvalidArchiveException when the bytes are not a valid archive
   */
  void accept(ByteBuffer chunk) {
    ByteBuffer input = chunk.duplicate();
    size += input.remaining();
    if (codec == null) {
      int n = Math.min(head.remaining(), input.remaining());
      ByteBuffer part = input.duplicate();
      part.limit(part.position() + n);
      head.put(part);
      input.position(input.position() + n);
      head.flip();
      codec = Codec.sniff(head, false, subject);
      if (codec == null) {
        head.compact();
        return;
      }
      decoder = codec.newDecoder(subject);
      decode(head);
    }
    if (input.hasRemaining()) {
      decode(input);
    }
  }

  /**
   * Declares the end of the archive and checks it was complete and held a segment.
   *
   * @throws InvalidArchiveException when it was truncated, empty, or has no segment directory or
   *     {@code creation.meta}
   */
  void finish() {
    try {
      if (codec == null) {
        head.flip();
        codec = Codec.sniff(head, true, subject);
        decoder = codec.newDecoder(subject);
        decode(head);
      }
      decoder.endOfInput();
      int n;
      while ((n = decoder.read(out.clear())) >= 0) {
        if (n > 0) {
          tar.decode(out.flip());
        }
      }
      tar.finish();
    } finally {
      close();
    }
    if (segmentDirectory == null) {
      throw new InvalidArchiveException(subject, "archive holds no segment directory");
    }
    if (creationMeta == null) {
      throw new InvalidArchiveException(subject, "archive has no " + CreationMeta.FILE_NAME);
    }
  }

  /** Releases the decompressor; safe at any time and more than once. */
  void close() {
    if (decoder != null) {
      decoder.close();
    }
  }

  private void decode(ByteBuffer input) {
    decoder.offer(input);
    int n;
    while ((n = decoder.read(out.clear())) != 0) {
      if (n < 0) {
        break;
      }
      tar.decode(out.flip());
    }
  }

  /** The codec, once the first bytes were seen. */
  Codec codec() {
    return codec;
  }

  /** Bytes inspected so far: the archive's size after {@link #finish()}. */
  long size() {
    return size;
  }

  /** The archive's top-level directory, known from its first entry: the segment name. */
  String segmentDirectory() {
    return segmentDirectory;
  }

  /** {@code creation.meta}, after {@link #finish()}. */
  CreationMeta creationMeta() {
    CreationMeta meta = CreationMeta.parse(creationMeta, creationMeta.length);
    if (meta == null) {
      throw new InvalidArchiveException(subject, CreationMeta.FILE_NAME + " is shorter than "
          + CreationMeta.MIN_SIZE + " bytes");
    }
    return meta;
  }

  /** {@code metadata.properties}; empty when the archive had none. */
  Properties metadataProperties() {
    Properties properties = new Properties();
    if (metadata != null) {
      try {
        properties.load(new StringReader(new String(metadata, StandardCharsets.UTF_8)));
      } catch (IOException | IllegalArgumentException e) {
        throw new InvalidArchiveException(subject, "unreadable " + METADATA_PROPERTIES + ": " + e.getMessage(), e);
      }
    }
    return properties;
  }

  // ---- TarEntryListener ----

  @Override
  public void directory(String path) {
    topLevel(path, true);
  }

  @Override
  public void fileStart(String path, long fileSize) {
    topLevel(path, false);
    String name = path.substring(path.lastIndexOf('/') + 1);
    int depth = path.split("/").length;
    capture = null;
    if (name.equals(METADATA_PROPERTIES) && depth < metadataDepth) {
      if (fileSize > MAX_METADATA_BYTES) {
        throw new InvalidArchiveException(subject, path + " is " + fileSize + " bytes, over the limit of "
            + MAX_METADATA_BYTES);
      }
      startCapture(fileSize, true, depth);
    } else if (name.equals(CreationMeta.FILE_NAME) && creationMeta == null) {
      if (fileSize > MAX_CREATION_META_BYTES) {
        throw new InvalidArchiveException(subject, path + " is " + fileSize + " bytes: not a creation.meta");
      }
      startCapture(fileSize, false, depth);
    }
  }

  private void startCapture(long fileSize, boolean isMetadata, int depth) {
    capture = new byte[(int) fileSize];
    captureLength = 0;
    capturingMetadata = isMetadata;
    captureDepth = depth;
  }

  @Override
  public void fileData(ByteBuffer data) {
    if (capture != null) {
      int n = data.remaining();
      data.get(capture, captureLength, n);
      captureLength += n;
    }
  }

  @Override
  public void fileEnd() {
    if (capture != null) {
      byte[] bytes = captureLength == capture.length ? capture : Arrays.copyOf(capture, captureLength);
      if (capturingMetadata) {
        metadata = bytes;
        metadataDepth = captureDepth;
      } else {
        creationMeta = bytes;
      }
      capture = null;
    }
  }

  /** Every entry must sit in one top-level directory, whose name is the segment's. */
  private void topLevel(String path, boolean directory) {
    int slash = path.indexOf('/');
    if (slash < 0 && !directory) {
      throw new InvalidArchiveException(subject, "file '" + path + "' is outside a segment directory");
    }
    String top = slash < 0 ? path : path.substring(0, slash);
    if (segmentDirectory == null) {
      segmentDirectory = top;
    } else if (!segmentDirectory.equals(top)) {
      throw new InvalidArchiveException(subject, "entry '" + path + "' is outside the segment directory '"
          + segmentDirectory + "'");
    }
  }
}
