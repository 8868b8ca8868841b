package io.segmenttransfer.server.cli;

import io.segmenttransfer.controller.api.ExternalView;
import io.segmenttransfer.controller.api.SegmentState;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.segment.TableNameWithType.TableType;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;

/**
 * {@code bootstrap --instance}: the segments of a table that the controller's ideal state assigns
 * ONLINE to one instance. That is what a Pinot server with this instance id loads when it starts
 * ({@code GET /tables/{t}/idealstate}, the same on Pinot's controller and this project's), so a
 * data directory prepared with it holds exactly that server's segments, in Pinot's layout, and the
 * server finds CRC-equal copies instead of downloading. CONSUMING (realtime, still being ingested)
 * and OFFLINE entries are not loaded by a server from the deep store, so they are left out.
 */
final class InstanceSegments {

  private InstanceSegments() {}

  /**
   * The metadata of every segment of {@code table} (with type, or raw for both types) assigned
   * ONLINE to {@code instanceId}, sorted as {@link TableBootstrap#listTable} sorts. Errors with
   * {@link InvalidRequestException} when there is no such table or its ideal state does not name
   * the instance at all (a mistyped id would otherwise prepare an empty directory).
   */
  static Mono<List<SegmentMetadata>> list(
      ControllerClient controller, String table, String instanceId) {
    boolean typed = table.endsWith("_OFFLINE") || table.endsWith("_REALTIME");
    String rawName = typed ? TableNameWithType.parse(table).rawName() : table;
    return controller
        .idealState(rawName)
        .onErrorMap(
            SourceNotFoundException.class,
            e ->
                new InvalidRequestException(
                    null,
                    "no ideal state for table "
                        + table
                        + " on the controller "
                        + controller.baseUrl()
                        + " ("
                        + e.getMessage()
                        + ")",
                    e))
        .flatMap(
            idealState -> {
              List<TableType> types =
                  typed
                      ? List.of(TableNameWithType.parse(table).type())
                      : List.of(TableType.values());
              if (!names(idealState, types, instanceId)) {
                return Mono.error(
                    new InvalidRequestException(
                        null,
                        "the ideal state of "
                            + table
                            + " assigns nothing to instance "
                            + instanceId
                            + "; it names "
                            + instances(idealState, types)));
              }
              Set<SegmentId> assigned = assigned(idealState, rawName, types, instanceId);
              return TableBootstrap.listTable(controller, table, assigned::contains);
            });
  }

  /** The segments whose ideal-state entry has the instance ONLINE. */
  static Set<SegmentId> assigned(
      ExternalView idealState, String rawName, List<TableType> types, String instanceId) {
    Set<SegmentId> assigned = new HashSet<>();
    for (TableType type : types) {
      TableNameWithType typed = new TableNameWithType(rawName, type);
      idealState
          .of(type)
          .ifPresent(
              segments ->
                  segments.forEach(
                      (segment, states) -> {
                        if (SegmentState.ONLINE.name().equals(states.get(instanceId))) {
                          assigned.add(new SegmentId(typed, segment));
                        }
                      }));
    }
    return assigned;
  }

  private static boolean names(ExternalView idealState, List<TableType> types, String instance) {
    return types.stream()
        .anyMatch(
            type ->
                idealState.of(type).map(Map::values).stream()
                    .flatMap(Collection::stream)
                    .anyMatch(states -> states.containsKey(instance)));
  }

  private static String instances(ExternalView idealState, List<TableType> types) {
    String names =
        types.stream()
            .flatMap(type -> idealState.of(type).map(Map::values).stream())
            .flatMap(Collection::stream)
            .flatMap(states -> states.keySet().stream())
            .distinct()
            .sorted()
            .collect(Collectors.joining(", "));
    return names.isEmpty() ? "no instance (no segment is assigned yet)" : names;
  }
}
