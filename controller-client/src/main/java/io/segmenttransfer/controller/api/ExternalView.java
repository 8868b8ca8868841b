package io.segmenttransfer.controller.api;

import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.segment.TableNameWithType.TableType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A table's external view (or ideal state, same shape) as {@code GET /tables/{t}/externalview}
 * returns it: per table type, segment name to instance to state. A type's map is absent when the
 * controller returned null for it.
 */
public record ExternalView(Map<TableType, Map<String, Map<String, String>>> byType) {

  public ExternalView {
    Map<TableType, Map<String, Map<String, String>>> copy = new TreeMap<>();
    byType.forEach(
        (type, segments) -> {
          Map<String, Map<String, String>> s = new TreeMap<>();
          segments.forEach(
              (segment, instances) -> s.put(segment, Map.copyOf(new TreeMap<>(instances))));
          copy.put(type, java.util.Collections.unmodifiableMap(s));
        });
    byType = java.util.Collections.unmodifiableMap(copy);
  }

  /** The segment-to-instance-to-state map of one table type, if the view has one. */
  public Optional<Map<String, Map<String, String>>> of(TableType type) {
    return Optional.ofNullable(byType.get(type));
  }

  /** Instance to state for one segment; empty when the segment is not in the view. */
  public Map<String, String> states(SegmentId segment) {
    return of(segment.table().type())
        .map(m -> m.getOrDefault(segment.segmentName(), Map.of()))
        .orElse(Map.of());
  }

  /** The instances holding the segment ONLINE, sorted by id. */
  public List<String> onlineInstances(SegmentId segment) {
    return states(segment).entrySet().stream()
        .filter(e -> SegmentState.ONLINE.name().equals(e.getValue()))
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
  }

  /** Whether the view names this table type at all. */
  public boolean has(TableNameWithType table) {
    return byType.containsKey(table.type());
  }
}
