package io.segmenttransfer.controller.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.segmenttransfer.controller.ControllerStore.SegmentDocument;
import io.segmenttransfer.controller.api.TableConfig;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.segment.SegmentMetadata;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * What the deep-store sync does to a segment's files: the SPI behind {@code processor=...}. A
 * processor works on an extracted segment directory in the run's work directory, in place; the sync
 * recomputes {@code creation.meta} after it, archives the result and switches the metadata.
 */
public interface SegmentProcessor {

  /** The name {@code processor=} takes. */
  String name();

  /**
   * Whether the result is built for the table's current config and schema: the segment then records
   * the run's table config hash (in its metadata and its {@code metadata.properties}). False for a
   * processor that only re-archives.
   */
  default boolean appliesTableConfig() {
    return true;
  }

  /**
   * Why {@code segment} needs no processing, or null when it does. By default: it was built under
   * {@code tableHash} already.
   */
  default @Nullable String upToDate(SegmentDocument segment, String tableHash) {
    return tableHash.equals(segment.metadata().fields().get(SegmentMetadata.TABLE_CONFIG_HASH))
        ? "built under the current table config hash"
        : null;
  }

  /** How the rebuilt archive is compressed, given the codec the old one had. */
  default ArchiveFormat archiveFormat(Codec original) {
    return new ArchiveFormat(original, null);
  }

  /**
   * Refuses a table this processor cannot work for (no schema, ...) before a run starts, with an
   * {@code InvalidRequestException} saying what to do.
   */
  default void checkTable(TableConfig config, @Nullable JsonNode schema) {}

  /**
   * Processes {@code context.segmentDir()} in place. Lazy. Completes when done; errors with a
   * {@link ProcessorFailure} saying why (the segment then fails alone, its old copy untouched).
   * Cancelling stops the work (an external program is killed).
   */
  Mono<Void> process(ProcessorContext context);
}
