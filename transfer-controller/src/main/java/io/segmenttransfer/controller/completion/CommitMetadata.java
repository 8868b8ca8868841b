package io.segmenttransfer.controller.completion;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.CreationMeta;
import io.segmenttransfer.core.segment.SegmentMetadata;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * What a commit records about the segment built, from its two small files: the CRC, creation time
 * and data CRC from {@code creation.meta} (big-endian: CRC, creation time, data CRC), and the doc
 * count, time range, time unit and index version from {@code metadata.properties}. Whether the
 * files arrived as the two parts of {@code segmentCommitEndWithMetadata} or were read out of an
 * archive, the same checks apply.
 */
record CommitMetadata(CreationMeta creationMeta, Map<String, String> fields) {

  static final String START_TIME = "segment.start.time";
  static final String END_TIME = "segment.end.time";
  static final String TIME_UNIT = "segment.time.unit";
  static final String DATA_CRC = "segment.data.crc";
  private static final List<String> FROM_PROPERTIES =
      List.of(
          SegmentMetadata.TOTAL_DOCS,
          START_TIME,
          END_TIME,
          TIME_UNIT,
          SegmentMetadata.INDEX_VERSION);

  CommitMetadata {
    fields = Map.copyOf(fields);
  }

  /**
   * Reads the files' bytes.
   *
   * @throws InvalidRequestException when creation.meta is shorter than 16 bytes, or
   *     metadata.properties is unreadable or has no non-negative {@code segment.total.docs}
   */
  /**
   * With {@code segment.crypter} set to the crypter the committer encrypted its deep-store upload
   * with (the {@code crypter} parameter of the split commit's end), so readers decrypt it; none
   * given, none recorded.
   */
  CommitMetadata withCrypter(@Nullable String crypter) {
    if (crypter == null || crypter.isBlank()) {
      return this;
    }
    Map<String, String> withCrypter = new java.util.LinkedHashMap<>(fields);
    withCrypter.put(SegmentMetadata.CRYPTER, crypter.trim());
    return new CommitMetadata(creationMeta, withCrypter);
  }

  static CommitMetadata parse(String segment, byte[] metadataProperties, byte[] creationMeta) {
    CreationMeta meta =
        creationMeta == null ? null : CreationMeta.parse(creationMeta, creationMeta.length);
    if (meta == null || meta.crc() < 0) {
      throw new InvalidRequestException(
          segment,
          CreationMeta.FILE_NAME
              + " is missing, shorter than "
              + CreationMeta.MIN_SIZE
              + " bytes or has a negative CRC");
    }
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(new String(metadataProperties, StandardCharsets.UTF_8)));
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidRequestException(
          segment, "unreadable metadata.properties: " + e.getMessage(), e);
    }
    return of(segment, properties, meta);
  }

  /** From files already read (out of an archive). */
  static CommitMetadata of(String segment, Properties properties, CreationMeta meta) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(SegmentMetadata.CRC, Long.toString(meta.crc()));
    fields.put(SegmentMetadata.CREATION_TIME, Long.toString(meta.creationTimeMs()));
    meta.dataCrc().ifPresent(d -> fields.put(DATA_CRC, Long.toString(d)));
    for (String key : FROM_PROPERTIES) {
      String value = properties.getProperty(key);
      if (value != null && !value.isBlank()) {
        fields.put(key, value.trim());
      }
    }
    String docs = fields.get(SegmentMetadata.TOTAL_DOCS);
    try {
      if (docs == null || Long.parseLong(docs) < 0) {
        throw new NumberFormatException(docs);
      }
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(
          segment,
          "metadata.properties has no valid " + SegmentMetadata.TOTAL_DOCS + " ('" + docs + "')");
    }
    return new CommitMetadata(meta, fields);
  }

  long crc() {
    return creationMeta.crc();
  }
}
