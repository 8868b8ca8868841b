package io.segmenttransfer.http.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The policy the two tables must keep, whatever routes are added to them. */
class RoutePermissionTablesTest {

  /** GETs that start work rather than read: they need what a change needs. */
  static final List<String> ACTING_GETS =
      List.of(
          "GET /periodictask/run",
          // The completion protocol's steps are GETs in Pinot's wire format.
          "GET /segmentConsumed",
          "GET /segmentCommitStart",
          "GET /segmentStoppedConsuming",
          "GET /extendBuildTime",
          "GET /instances/{id}/assignment");

  @Test
  void onlyTheServersHealthIsOpen() {
    assertThat(ControllerRoutePermissions.TABLE.rules()).noneMatch(RouteRule::isOpen);
    assertThat(ServerRoutePermissions.TABLE.rules().stream().filter(RouteRule::isOpen))
        .extracting(RouteRule::route)
        .containsExactly("GET /health");
  }

  @Test
  void readNeverChangesAnythingAndChangesNeverNeedOnlyRead() {
    for (RoutePermissions table :
        List.of(ControllerRoutePermissions.TABLE, ServerRoutePermissions.TABLE)) {
      for (RouteRule rule : table.rules()) {
        boolean reads =
            (rule.method().equals(HttpMethod.GET) || rule.method().equals(HttpMethod.HEAD))
                && !ACTING_GETS.contains(rule.route());
        if (rule.permission() == Permission.READ) {
          assertThat(reads).as(rule.route() + " needs only read but acts").isTrue();
        } else if (!rule.isOpen()) {
          assertThat(reads)
              .as(rule.route() + " only reads but needs " + rule.permission())
              .isFalse();
        }
      }
    }
  }

  @Test
  void everyActingGetIsARouteOfTheController() {
    assertThat(ControllerRoutePermissions.TABLE.rules())
        .extracting(RouteRule::route)
        .containsAll(ACTING_GETS);
  }
}
