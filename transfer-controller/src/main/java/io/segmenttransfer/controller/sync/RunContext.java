package io.segmenttransfer.controller.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.segmenttransfer.controller.api.TableConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What every segment of a run shares, captured when the run started: a table changed during the run
 * is still rebuilt under the hash it had at the start (the next run sees the change).
 *
 * @param workDir the sync work root: each segment gets its own directory in it
 */
record RunContext(
    String runId,
    TableConfig config,
    @Nullable JsonNode schema,
    String tableHash,
    SegmentProcessor processor,
    Duration processorTimeout,
    Path workDir) {}
