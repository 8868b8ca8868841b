package io.segmenttransfer.controller.completion;

import io.segmenttransfer.controller.ArchiveInspector;
import io.segmenttransfer.controller.MultipartParser;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.CreationMeta;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Collects the body of {@code segmentCommitEndWithMetadata}: exactly two parts, named {@code
 * metadata.properties} and {@code creation.meta}, holding the files' bytes (Pinot's server sends
 * them as file parts named after the files). Bounded: more than {@code maxBytes} in all, a third
 * part, a part without a name or the same name twice is refused.
 *
 * <p>Not thread-safe; fed by one request's {@link MultipartParser}.
 */
final class MetadataParts implements MultipartParser.PartSink {

  private final String segment;
  private final int maxBytes;
  private final Map<String, ByteArrayOutputStream> parts = new LinkedHashMap<>();
  private ByteArrayOutputStream current;
  private long total;

  MetadataParts(String segment, int maxBytes) {
    this.segment = segment;
    this.maxBytes = maxBytes;
  }

  @Override
  public void begin(String name, String fileName) {
    if (!ArchiveInspector.METADATA_PROPERTIES.equals(name)
        && !CreationMeta.FILE_NAME.equals(name)) {
      throw new InvalidRequestException(
          segment,
          "commit part '"
              + name
              + "' is not "
              + ArchiveInspector.METADATA_PROPERTIES
              + " or "
              + CreationMeta.FILE_NAME);
    }
    if (parts.containsKey(name)) {
      throw new InvalidRequestException(segment, "commit part " + name + " sent twice");
    }
    current = new ByteArrayOutputStream();
    parts.put(name, current);
  }

  @Override
  public void bytes(byte[] bytes, int offset, int length) {
    total += length;
    if (total > maxBytes) {
      throw new InvalidRequestException(segment, "commit metadata over " + maxBytes + " bytes");
    }
    current.write(bytes, offset, length);
  }

  @Override
  public void end() {
    current = null;
  }

  /** The files, once the body ended; fails unless both parts came. */
  CommitMetadata metadata() {
    ByteArrayOutputStream properties = parts.get(ArchiveInspector.METADATA_PROPERTIES);
    ByteArrayOutputStream meta = parts.get(CreationMeta.FILE_NAME);
    if (properties == null || meta == null) {
      throw new InvalidRequestException(
          segment,
          "commit needs the parts "
              + ArchiveInspector.METADATA_PROPERTIES
              + " and "
              + CreationMeta.FILE_NAME
              + ", got "
              + parts.keySet());
    }
    return CommitMetadata.parse(segment, properties.toByteArray(), meta.toByteArray());
  }
}
