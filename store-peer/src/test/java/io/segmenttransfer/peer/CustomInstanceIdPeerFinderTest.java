package io.segmenttransfer.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.segment.SegmentId;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.HttpClient;

/**
 * Peers whose instance ids are not {@code Server_<host>_<port>} (Pinot's {@code instanceId}
 * setting, our {@code --instance-id}): their endpoints come from the records, never from the id.
 */
class CustomInstanceIdPeerFinderTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final SegmentId SEGMENT = SegmentId.of("events_OFFLINE", "events_0");

  private FakeController controller;

  @BeforeEach
  void start() {
    controller = new FakeController();
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  @Test
  void customIdsAreReachedAtTheirRecordsHostAndAdminPort() {
    // Pinot's exact record shape, under ids that name no host.
    controller.instanceRecord(
        "pinot-server-7",
        "{\"instanceName\":\"pinot-server-7\",\"hostName\":\"host-7\","
            + "\"enabled\":true,\"port\":\"8098\",\"tags\":[\"DefaultTenant_OFFLINE\"],\"pools\":null,\"grpcPort\":-1,"
            + "\"adminPort\":19097,\"queryServicePort\":-1,\"queryMailboxPort\":-1,\"systemResourceInfo\":null}");
    controller.instanceRecord(
        "pinot-server-8",
        "{\"instanceName\":\"pinot-server-8\",\"hostName\":\"host-8\","
            + "\"enabled\":true,\"port\":\"8098\",\"tags\":[\"DefaultTenant_OFFLINE\"],\"grpcPort\":-1}");
    // A conventional id whose record names another host: the record wins.
    controller.instanceRecord(
        "Server_10.0.0.9_8098",
        "{\"instanceName\":\"Server_10.0.0.9_8098\","
            + "\"hostName\":\"host-9\",\"port\":\"8098\",\"adminPort\":29097}");
    controller.instanceRecord(
        "pinot-server-me",
        "{\"instanceName\":\"pinot-server-me\",\"hostName\":\"host-me\","
            + "\"port\":\"8098\",\"adminPort\":19097}");
    Map<String, String> states = new LinkedHashMap<>();
    states.put("pinot-server-7", "ONLINE");
    states.put("pinot-server-8", "ONLINE");
    states.put("Server_10.0.0.9_8098", "ONLINE");
    states.put("pinot-server-me", "ONLINE");
    controller.view(read -> FakeController.offlineView("events_0", states));
    ExternalViewPeerFinder finder =
        new ExternalViewPeerFinder(
            HttpClient.create(), PeerDiscoveryConfig.of(controller.uri(), "pinot-server-me"));

    assertThat(finder.findPeers(SEGMENT).block(TIMEOUT))
        .containsExactlyInAnyOrder(
            URI.create("http://host-7:19097/segments/events_OFFLINE/events_0"),
            URI.create("http://host-8:8097/segments/events_OFFLINE/events_0"),
            URI.create("http://host-9:29097/segments/events_OFFLINE/events_0"));
    assertThat(controller.requests())
        .contains("/instances/pinot-server-7", "/instances/pinot-server-8")
        .doesNotContain("/instances/pinot-server-me");
  }

  @Test
  void theIdNamesTheHostOnlyWhenTheRecordHasNone() {
    controller.instanceRecord(
        "Server_h5_8098",
        "{\"instanceName\":\"Server_h5_8098\",\"port\":\"8098\",\"adminPort\":9097}");
    controller.instanceRecord(
        "no-host", "{\"instanceName\":\"no-host\",\"port\":\"8098\",\"adminPort\":9097}");
    controller.view(
        read ->
            FakeController.offlineView(
                "events_0", Map.of("Server_h5_8098", "ONLINE", "no-host", "ONLINE")));
    ExternalViewPeerFinder finder =
        new ExternalViewPeerFinder(
            HttpClient.create(), PeerDiscoveryConfig.of(controller.uri(), null));

    // The custom id without a hostName cannot be reached: left out, the other peer still offered.
    assertThat(finder.findPeers(SEGMENT).block(TIMEOUT))
        .containsExactly(URI.create("http://h5:9097/segments/events_OFFLINE/events_0"));
  }
}
