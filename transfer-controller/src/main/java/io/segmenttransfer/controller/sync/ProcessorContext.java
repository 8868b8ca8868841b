package io.segmenttransfer.controller.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.segmenttransfer.controller.api.TableConfig;
import io.segmenttransfer.core.segment.SegmentId;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * One segment to process.
 *
 * @param segmentDir the extracted segment directory, processed in place
 * @param workDir the segment's own work directory (holds {@code segmentDir}); removed after the
 *     segment, whatever happened, so a processor may leave files there
 * @param config the table config captured when the run started
 * @param schema the table's schema captured when the run started, null when it has none
 * @param tableHash the table config hash captured when the run started
 * @param timeout how long the processor may take for this segment
 */
public record ProcessorContext(
    SegmentId segment,
    Path segmentDir,
    Path workDir,
    TableConfig config,
    @Nullable JsonNode schema,
    String tableHash,
    Duration timeout) {}
