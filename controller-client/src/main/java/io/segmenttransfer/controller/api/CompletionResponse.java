package io.segmenttransfer.controller.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

/**
 * The controller's answer to a completion-protocol message, in Pinot's JSON shape: {@code status},
 * {@code streamPartitionMsgOffset}, {@code offset} (always -1: the long offset is deprecated),
 * {@code buildTimeSec}, {@code isSplitCommitType}, and {@code segmentLocation} and {@code
 * controllerVipUrl} only when set. Unknown fields are ignored when reading.
 *
 * @param streamPartitionMsgOffset the offset the answer refers to (the winning end offset for
 *     HOLD/CATCH_UP/KEEP/DISCARD), or null
 * @param buildTimeSec the time the committer is given to build the segment, or -1
 */
public record CompletionResponse(
    CompletionStatus status,
    @Nullable String streamPartitionMsgOffset,
    long buildTimeSec,
    boolean splitCommit,
    @Nullable String segmentLocation,
    @Nullable String controllerVipUrl) {

  public CompletionResponse {
    if (status == null) {
      throw new IllegalArgumentException("a completion response needs a status");
    }
  }

  /** An answer with only a status (and the offset it is about, when there is one). */
  public static CompletionResponse of(
      CompletionStatus status, @Nullable String streamPartitionMsgOffset) {
    return new CompletionResponse(status, streamPartitionMsgOffset, -1, false, null, null);
  }

  public static CompletionResponse of(CompletionStatus status) {
    return of(status, null);
  }

  public CompletionResponse withBuildTimeSec(long seconds) {
    return new CompletionResponse(
        status, streamPartitionMsgOffset, seconds, splitCommit, segmentLocation, controllerVipUrl);
  }

  public CompletionResponse withSplitCommit(boolean split) {
    return new CompletionResponse(
        status, streamPartitionMsgOffset, buildTimeSec, split, segmentLocation, controllerVipUrl);
  }

  public CompletionResponse withSegmentLocation(@Nullable String location) {
    return new CompletionResponse(
        status, streamPartitionMsgOffset, buildTimeSec, splitCommit, location, controllerVipUrl);
  }

  public ObjectNode toJson() {
    ObjectNode node = ControllerJson.MAPPER.createObjectNode();
    node.put("status", status.name());
    node.put("offset", -1L);
    if (streamPartitionMsgOffset != null) {
      node.put("streamPartitionMsgOffset", streamPartitionMsgOffset);
    }
    node.put("buildTimeSec", buildTimeSec);
    node.put("isSplitCommitType", splitCommit);
    if (segmentLocation != null) {
      node.put("segmentLocation", segmentLocation);
    }
    if (controllerVipUrl != null) {
      node.put("controllerVipUrl", controllerVipUrl);
    }
    return node;
  }

  /** Reads Pinot's shape; a missing or unknown status is an {@code InvalidRequestException}. */
  public static CompletionResponse fromJson(JsonNode node) {
    CompletionStatus status = CompletionStatus.parse(node.path("status").asText(null));
    return new CompletionResponse(
        status,
        text(node, "streamPartitionMsgOffset"),
        node.path("buildTimeSec").asLong(-1),
        node.path("isSplitCommitType").asBoolean(false),
        text(node, "segmentLocation"),
        text(node, "controllerVipUrl"));
  }

  private static @Nullable String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}
