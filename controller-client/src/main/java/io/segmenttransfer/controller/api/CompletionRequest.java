package io.segmenttransfer.controller.api;

import io.segmenttransfer.core.error.InvalidRequestException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The parameters of a completion-protocol message, as Pinot's servers send them in the query
 * string: {@code name}, {@code instance}, {@code streamPartitionMsgOffset} (with the deprecated
 * {@code offset} accepted when reading), {@code reason}, {@code location}, and the numbers {@code
 * memoryUsedBytes}, {@code segmentSizeBytes}, {@code rowCount}, {@code buildTimeMillis}, {@code
 * waitTimeMillis}, {@code extraTimeSec}, which are sent only when greater than zero (Pinot's rule),
 * so a zero here means "not sent".
 */
public record CompletionRequest(
    String segmentName,
    String instance,
    @Nullable String streamPartitionMsgOffset,
    @Nullable String reason,
    @Nullable String location,
    long memoryUsedBytes,
    long segmentSizeBytes,
    long rowCount,
    long buildTimeMillis,
    long waitTimeMillis,
    int extraTimeSec) {

  public static final String NAME = "name";
  public static final String INSTANCE = "instance";
  public static final String STREAM_PARTITION_MSG_OFFSET = "streamPartitionMsgOffset";

  /** Deprecated by Pinot in favour of {@link #STREAM_PARTITION_MSG_OFFSET}; read, never written. */
  public static final String OFFSET = "offset";

  public static final String REASON = "reason";
  public static final String LOCATION = "location";
  public static final String MEMORY_USED_BYTES = "memoryUsedBytes";
  public static final String SEGMENT_SIZE_BYTES = "segmentSizeBytes";
  public static final String ROW_COUNT = "rowCount";
  public static final String BUILD_TIME_MILLIS = "buildTimeMillis";
  public static final String WAIT_TIME_MILLIS = "waitTimeMillis";
  public static final String EXTRA_TIME_SEC = "extraTimeSec";

  public CompletionRequest {
    if (segmentName == null || segmentName.isBlank()) {
      throw new InvalidRequestException(
          null, "completion message without a segment name (" + NAME + ")");
    }
    if (instance == null || instance.isBlank()) {
      throw new InvalidRequestException(
          null,
          "completion message for " + segmentName + " without an instance id (" + INSTANCE + ")");
    }
  }

  /**
   * A message about {@code segmentName} from {@code instance} at {@code offset}, with no numbers.
   */
  public static CompletionRequest of(String segmentName, String instance, @Nullable String offset) {
    return new CompletionRequest(segmentName, instance, offset, null, null, 0, 0, 0, 0, 0, 0);
  }

  public CompletionRequest withLocation(@Nullable String location) {
    return new CompletionRequest(
        segmentName,
        instance,
        streamPartitionMsgOffset,
        reason,
        location,
        memoryUsedBytes,
        segmentSizeBytes,
        rowCount,
        buildTimeMillis,
        waitTimeMillis,
        extraTimeSec);
  }

  public CompletionRequest withReason(@Nullable String reason) {
    return new CompletionRequest(
        segmentName,
        instance,
        streamPartitionMsgOffset,
        reason,
        location,
        memoryUsedBytes,
        segmentSizeBytes,
        rowCount,
        buildTimeMillis,
        waitTimeMillis,
        extraTimeSec);
  }

  public CompletionRequest withSizes(long segmentSizeBytes, long rowCount, long buildTimeMillis) {
    return new CompletionRequest(
        segmentName,
        instance,
        streamPartitionMsgOffset,
        reason,
        location,
        memoryUsedBytes,
        segmentSizeBytes,
        rowCount,
        buildTimeMillis,
        waitTimeMillis,
        extraTimeSec);
  }

  public CompletionRequest withExtraTimeSec(int extraTimeSec) {
    return new CompletionRequest(
        segmentName,
        instance,
        streamPartitionMsgOffset,
        reason,
        location,
        memoryUsedBytes,
        segmentSizeBytes,
        rowCount,
        buildTimeMillis,
        waitTimeMillis,
        extraTimeSec);
  }

  /**
   * The query string (without {@code ?}), names and values percent-encoded, numbers only when > 0.
   */
  public String toQuery() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put(NAME, segmentName);
    params.put(INSTANCE, instance);
    putIfSet(params, STREAM_PARTITION_MSG_OFFSET, streamPartitionMsgOffset);
    putIfSet(params, REASON, reason);
    putIfSet(params, LOCATION, location);
    putIfPositive(params, MEMORY_USED_BYTES, memoryUsedBytes);
    putIfPositive(params, SEGMENT_SIZE_BYTES, segmentSizeBytes);
    putIfPositive(params, ROW_COUNT, rowCount);
    putIfPositive(params, BUILD_TIME_MILLIS, buildTimeMillis);
    putIfPositive(params, WAIT_TIME_MILLIS, waitTimeMillis);
    putIfPositive(params, EXTRA_TIME_SEC, extraTimeSec);
    StringBuilder query = new StringBuilder();
    params.forEach(
        (key, value) -> {
          if (query.length() > 0) {
            query.append('&');
          }
          query.append(key).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        });
    return query.toString();
  }

  /**
   * Reads decoded query parameters (as Netty's {@code QueryStringDecoder} gives them). A missing
   * name or instance, or a number that does not parse, is an {@link InvalidRequestException} naming
   * the parameter; the deprecated {@code offset} stands in for a missing {@code
   * streamPartitionMsgOffset} unless it is Pinot's "unset" value -1.
   */
  public static CompletionRequest fromQuery(Map<String, List<String>> params) {
    String offset = first(params, STREAM_PARTITION_MSG_OFFSET);
    if (offset == null) {
      String deprecated = first(params, OFFSET);
      offset = deprecated == null || deprecated.equals("-1") ? null : deprecated;
    }
    return new CompletionRequest(
        first(params, NAME),
        first(params, INSTANCE),
        offset,
        first(params, REASON),
        first(params, LOCATION),
        number(params, MEMORY_USED_BYTES),
        number(params, SEGMENT_SIZE_BYTES),
        number(params, ROW_COUNT),
        number(params, BUILD_TIME_MILLIS),
        number(params, WAIT_TIME_MILLIS),
        (int) Math.min(Integer.MAX_VALUE, number(params, EXTRA_TIME_SEC)));
  }

  private static void putIfSet(Map<String, String> params, String key, @Nullable String value) {
    if (value != null && !value.isEmpty()) {
      params.put(key, value);
    }
  }

  private static void putIfPositive(Map<String, String> params, String key, long value) {
    if (value > 0) {
      params.put(key, Long.toString(value));
    }
  }

  private static @Nullable String first(Map<String, List<String>> params, String key) {
    List<String> values = params.get(key);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** A number parameter; absent, empty or not positive reads as 0 ("not sent"). */
  private static long number(Map<String, List<String>> params, String key) {
    String value = first(params, key);
    if (value == null || value.isBlank()) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(
          null, "completion parameter " + key + " is not a number: '" + value + "'");
    }
  }
}
