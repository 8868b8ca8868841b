package io.segmenttransfer.controller;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides which servers hold each segment of a table. Stable: a segment keeps the servers it has
 * (moving data costs more than a slightly uneven spread), dropping only servers that are gone and
 * replicas beyond the replication. Missing replicas go to the least-loaded servers, load counting
 * every replica of every table, ties broken by instance id, so the same inputs always give the same
 * plan and a fresh table over N servers spreads evenly.
 */
final class AssignmentPlanner {

  private AssignmentPlanner() {}

  /**
   * @param replication replicas wanted per segment
   * @param segments the table's segment names
   * @param current the table's ideal state now (segment to instances)
   * @param servers the enabled servers that may hold segments
   * @param load replicas held per server, updated in place to include this table's new plan (pass
   *     the load of the other tables)
   * @return the new ideal state: every segment, each with at most {@code replication} servers
   *     (fewer when there are fewer servers)
   */
  static Map<String, List<String>> plan(
      int replication,
      Collection<String> segments,
      Map<String, List<String>> current,
      Collection<String> servers,
      Map<String, Integer> load) {
    Set<String> available = new HashSet<>(servers);
    for (String server : servers) {
      load.putIfAbsent(server, 0);
    }
    Map<String, List<String>> plan = new TreeMap<>();
    List<String> sortedSegments = new ArrayList<>(segments);
    sortedSegments.sort(null);
    for (String segment : sortedSegments) {
      List<String> kept = new ArrayList<>();
      for (String holder : current.getOrDefault(segment, List.of())) {
        if (available.contains(holder) && !kept.contains(holder) && kept.size() < replication) {
          kept.add(holder);
          load.merge(holder, 1, Integer::sum);
        }
      }
      plan.put(segment, kept);
    }
    Comparator<String> leastLoaded =
        Comparator.<String>comparingInt(load::get).thenComparing(Comparator.naturalOrder());
    for (String segment : sortedSegments) {
      List<String> holders = plan.get(segment);
      while (holders.size() < replication) {
        String next =
            servers.stream().filter(s -> !holders.contains(s)).min(leastLoaded).orElse(null);
        if (next == null) {
          break;
        }
        holders.add(next);
        load.merge(next, 1, Integer::sum);
      }
    }
    Map<String, List<String>> result = new TreeMap<>();
    plan.forEach((segment, holders) -> result.put(segment, List.copyOf(holders)));
    return result;
  }

  /** Replicas per instance in an ideal state, added to {@code into}. */
  static Map<String, Integer> addLoad(
      Map<String, List<String>> idealState, Map<String, Integer> into) {
    idealState.values().forEach(holders -> holders.forEach(h -> into.merge(h, 1, Integer::sum)));
    return into;
  }

  static Map<String, Integer> newLoad() {
    return new HashMap<>();
  }
}
