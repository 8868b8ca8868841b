package io.segmenttransfer.server.daemon;

import io.segmenttransfer.controller.api.StaleSegment;
import io.segmenttransfer.controller.api.TableConfigState;
import io.segmenttransfer.core.local.LocalSegment;
import io.segmenttransfer.core.local.SegmentDataDirectory;
import io.segmenttransfer.core.segment.MetadataProperties;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Pinot's {@code GET /tables/{tableNameWithType}/segments/isStale} for this server's copies, under
 * the table config hash rules (docs/protocol.md): a copy whose {@code metadata.properties} records
 * a table config hash is stale when it differs from the table's current one; a copy with none is
 * stale once the table's config or schema changed after the segment was pushed. Each entry also
 * says whether the server is changing that segment right now ({@code reloading}). Blocking (reads
 * each copy's metadata.properties): run it on the I/O scheduler.
 */
final class StalenessReport {

  private final SegmentDataDirectory directory;
  private final Function<SegmentId, Optional<SegmentMetadata>> assigned;

  StalenessReport(
      SegmentDataDirectory directory, Function<SegmentId, Optional<SegmentMetadata>> assigned) {
    this.directory = directory;
    this.assigned = assigned;
  }

  /**
   * @param segments the segments to report: those held here and those assigned
   */
  List<StaleSegment> of(TableConfigState table, Set<String> segments) {
    List<StaleSegment> answer = new ArrayList<>();
    for (String name : new TreeSet<>(segments)) {
      SegmentId id = new SegmentId(table.table(), name);
      boolean reloading = directory.isChanging(id);
      Optional<LocalSegment> local = directory.localSegment(id);
      if (local.isEmpty()) {
        answer.add(new StaleSegment(name, false, null, reloading));
        continue;
      }
      String reason = staleReason(table, id, local.get());
      answer.add(new StaleSegment(name, reason != null, reason, reloading));
    }
    return answer;
  }

  private String staleReason(TableConfigState table, SegmentId id, LocalSegment local) {
    Optional<String> recorded;
    try {
      recorded = MetadataProperties.tableConfigHash(local.directory());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (recorded.isPresent()) {
      return recorded.get().equals(table.hash())
          ? null
          : "built under table config hash "
              + abbreviate(recorded.get())
              + ", the table's is "
              + abbreviate(table.hash());
    }
    long pushed =
        assigned
            .apply(id)
            .flatMap(m -> m.field(SegmentMetadata.PUSH_TIME))
            .map(StalenessReport::millis)
            .orElse(0L);
    if (table.changedTimeMs() > 0 && table.changedTimeMs() > pushed) {
      return "table config or schema changed at "
          + table.changedTimeMs()
          + ", after the segment was pushed at "
          + pushed;
    }
    return null;
  }

  private static long millis(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String abbreviate(String hash) {
    return hash.length() > 12 ? hash.substring(0, 12) : hash;
  }

  /** The segments a table's answer covers: the copies held and the segments assigned. */
  static Set<String> names(TableNameWithType table, Set<String> local, Set<SegmentId> held) {
    Set<String> names = new TreeSet<>(local);
    held.stream().filter(s -> s.table().equals(table)).forEach(s -> names.add(s.segmentName()));
    return names;
  }
}
