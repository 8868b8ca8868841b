package io.segmenttransfer.core.segment;

import io.segmenttransfer.core.error.InvalidRequestException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The controller's record of a segment: Pinot's ZooKeeper simple fields (all strings, keys as in
 * docs/protocol.md) plus the {@code custom.map}. Typed accessors validate on read and fail with an
 * error naming the segment and the key.
 */
public record SegmentMetadata(
    SegmentId segment, Map<String, String> fields, Map<String, String> customMap) {

  public static final String CRC = "segment.crc";
  public static final String DOWNLOAD_URL = "segment.download.url";
  public static final String CRYPTER = "segment.crypter";
  public static final String REALTIME_STATUS = "segment.realtime.status";
  public static final String CREATION_TIME = "segment.creation.time";
  public static final String PUSH_TIME = "segment.push.time";
  public static final String REFRESH_TIME = "segment.refresh.time";
  public static final String SIZE_IN_BYTES = "segment.size.in.bytes";
  public static final String TOTAL_DOCS = "segment.total.docs";
  public static final String INDEX_VERSION = "segment.index.version";
  public static final String CUSTOM_MAP = "custom.map";
  public static final String REALTIME_START_OFFSET = "segment.realtime.startOffset";

  /**
   * The committed end offset once DONE; while COMMITTING, the offset being committed (as Pinot's
   * pauseless commit).
   */
  public static final String REALTIME_END_OFFSET = "segment.realtime.endOffset";

  public static final String REALTIME_NUM_REPLICAS = "segment.realtime.numReplicas";

  /**
   * This project's key: the table config hash (config and schema) the segment was last rebuilt
   * under by the deep-store sync; the same key is written into the segment's {@code
   * metadata.properties}. Absent for a segment never rebuilt.
   */
  public static final String TABLE_CONFIG_HASH = "segment.table.config.hash";

  /**
   * This project's key: the instance committing (COMMITTING) or that committed (DONE) a realtime
   * segment, so a commit retried across a controller restart is recognised.
   */
  public static final String REALTIME_COMMITTER = "segment.realtime.committer";

  /** {@code segment.download.url} of a segment that has no deep-store copy: peers only. */
  public static final String PEERS_ONLY = "";

  public SegmentMetadata {
    if (segment == null) {
      throw new InvalidRequestException(null, "segment metadata without a segment id");
    }
    fields = Map.copyOf(fields == null ? Map.of() : fields);
    customMap = Map.copyOf(customMap == null ? Map.of() : customMap);
  }

  public static SegmentMetadata of(SegmentId segment, Map<String, String> fields) {
    return new SegmentMetadata(segment, fields, Map.of());
  }

  public String segmentName() {
    return segment.segmentName();
  }

  public TableNameWithType table() {
    return segment.table();
  }

  public Optional<String> field(String key) {
    return Optional.ofNullable(fields.get(key));
  }

  /** The expected CRC; fails when it is missing or not a non-negative 64-bit decimal. */
  public long crc() {
    return crcIfPresent()
        .orElseThrow(() -> new InvalidRequestException(segmentName(), "metadata has no " + CRC));
  }

  /** The CRC when present; fails when present but malformed. */
  public OptionalLong crcIfPresent() {
    String value = fields.get(CRC);
    if (value == null) {
      return OptionalLong.empty();
    }
    try {
      long crc = Long.parseLong(value.trim());
      if (crc < 0) {
        throw new NumberFormatException("negative");
      }
      return OptionalLong.of(crc);
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(
          segmentName(), "malformed " + CRC + " '" + value + "': expected a decimal number", e);
    }
  }

  /**
   * The deep-store URL. Empty optional when the key is absent; the empty string ({@link
   * #PEERS_ONLY}) when the segment has no deep-store copy.
   */
  public Optional<String> downloadUrl() {
    return field(DOWNLOAD_URL);
  }

  public Optional<String> crypter() {
    return field(CRYPTER).filter(s -> !s.isBlank());
  }

  /** {@code segment.realtime.status}; absent means UPLOADED. */
  public RealtimeStatus realtimeStatus() {
    String value = fields.get(REALTIME_STATUS);
    if (value == null || value.isBlank()) {
      return RealtimeStatus.UPLOADED;
    }
    try {
      return RealtimeStatus.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(
          segmentName(), "unknown " + REALTIME_STATUS + " '" + value + "'");
    }
  }

  public OptionalLong sizeInBytes() {
    String value = fields.get(SIZE_IN_BYTES);
    if (value == null || value.isBlank()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(
          segmentName(), "malformed " + SIZE_IN_BYTES + " '" + value + "'", e);
    }
  }

  /** A copy with one field set (or removed when value is null). */
  public SegmentMetadata with(String key, @Nullable String value) {
    Map<String, String> copy = new LinkedHashMap<>(fields);
    if (value == null) {
      copy.remove(key);
    } else {
      copy.put(key, value);
    }
    return new SegmentMetadata(segment, copy, customMap);
  }
}
