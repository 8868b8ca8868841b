package io.segmenttransfer.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AssignmentPlannerTest {

  @Test
  void spreadsEvenlyKeepsExistingReplicasAndDropsGoneServers() {
    List<String> servers = List.of("a", "b", "c");
    Map<String, List<String>> plan =
        AssignmentPlanner.plan(2, List.of("s1", "s2", "s3"), Map.of(), servers, new HashMap<>());
    assertThat(plan)
        .isEqualTo(
            Map.of("s1", List.of("a", "b"), "s2", List.of("c", "a"), "s3", List.of("b", "c")));

    // Stable: the same inputs again change nothing.
    assertThat(AssignmentPlanner.plan(2, plan.keySet(), plan, servers, new HashMap<>()))
        .isEqualTo(plan);

    // "a" leaves: its replicas move to whoever holds least, the rest stay put.
    Map<String, List<String>> without =
        AssignmentPlanner.plan(2, plan.keySet(), plan, List.of("b", "c"), new HashMap<>());
    assertThat(without)
        .isEqualTo(
            Map.of("s1", List.of("b", "c"), "s2", List.of("c", "b"), "s3", List.of("b", "c")));

    // Other tables' load counts: a busy server gets new replicas last.
    Map<String, Integer> load = new HashMap<>(Map.of("a", 10));
    assertThat(AssignmentPlanner.plan(1, List.of("x", "y"), Map.of(), servers, load))
        .isEqualTo(Map.of("x", List.of("b"), "y", List.of("c")));
    assertThat(load).containsEntry("a", 10).containsEntry("b", 1).containsEntry("c", 1);
  }
}
