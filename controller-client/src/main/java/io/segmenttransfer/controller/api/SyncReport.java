package io.segmenttransfer.controller.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.segmenttransfer.core.error.InvalidRequestException;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A deep-store sync run, in progress or finished: what {@code POST /tasks/DeepStoreSync/run} and
 * {@code GET /tasks/DeepStoreSync/runs/{id}} answer, what {@code sync --json} prints.
 *
 * @param runId the run's id, for {@code GET .../runs/{id}}
 * @param status {@code RUNNING}, {@code FINISHED} (even with failed segments: they are listed),
 *     {@code CANCELLED} or {@code FAILED} (the run itself could not go on)
 * @param mode {@code reloadOnly}, {@code forceReload} or {@code none}
 * @param tableHash the table config hash captured when the run started: what it builds under
 * @param examined segments looked at
 * @param selected segments chosen to be processed; {@code done} of them have ended (either way)
 * @param skipped segments left as they are, with the reason
 * @param processed segments rebuilt and switched to their new archive
 * @param failed segments whose rebuild failed, with the cause; their old copy and metadata stand
 * @param bytesBefore archive bytes of the processed segments before
 * @param bytesAfter archive bytes of the processed segments after
 * @param message what a run that did nothing, or could not go on, has to say
 */
public record SyncReport(
    String runId,
    String tableNameWithType,
    String status,
    String mode,
    String processor,
    String tableHash,
    long startedAtMs,
    long durationMs,
    int examined,
    int selected,
    int done,
    List<Skipped> skipped,
    List<String> processed,
    List<Failed> failed,
    long bytesBefore,
    long bytesAfter,
    @Nullable String message) {

  public static final String RUNNING = "RUNNING";
  public static final String FINISHED = "FINISHED";
  public static final String CANCELLED = "CANCELLED";
  public static final String FAILED = "FAILED";

  public SyncReport {
    skipped = List.copyOf(skipped);
    processed = List.copyOf(processed);
    failed = List.copyOf(failed);
  }

  public record Skipped(String segmentName, String reason) {}

  public record Failed(String segmentName, String cause) {}

  @JsonIgnore
  public boolean isRunning() {
    return RUNNING.equals(status);
  }

  @JsonIgnore
  public JsonNode toJson() {
    return ControllerJson.MAPPER.valueToTree(this);
  }

  /** Reads a report; fails naming what is wrong. */
  public static SyncReport parse(JsonNode node) {
    try {
      return ControllerJson.MAPPER.treeToValue(node, SyncReport.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new InvalidRequestException(null, "not a deep-store sync report: " + e.getMessage(), e);
    }
  }
}
