package io.segmenttransfer.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.error.SourceUnavailableException;
import io.segmenttransfer.core.segment.SegmentId;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.HttpClient;
import reactor.test.StepVerifier;

/** Discovery against a fake controller with Pinot's external view and instance shapes. */
class ExternalViewPeerFinderTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final SegmentId SEGMENT = SegmentId.of("events_OFFLINE", "events_0");

  private FakeController controller;
  private ExternalViewPeerFinder finder;

  @BeforeEach
  void start() {
    controller = new FakeController();
    finder =
        new ExternalViewPeerFinder(
            HttpClient.create(), PeerDiscoveryConfig.of(controller.uri(), "Server_me_8098"));
    for (String id :
        List.of(
            "Server_h1_8098",
            "Server_h2_8098",
            "Server_h3_8098",
            "Server_h4_8098",
            "Server_me_8098")) {
      controller.instance(id, "host-" + id.charAt(8), 9000 + id.charAt(8));
    }
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  @Test
  void keepsOnlyOnlineReplicasOfOtherServers() {
    Map<String, String> states = new LinkedHashMap<>();
    states.put("Server_h1_8098", "ONLINE");
    states.put("Server_h2_8098", "CONSUMING");
    states.put("Server_h3_8098", "OFFLINE");
    states.put("Server_h4_8098", "ONLINE");
    states.put("Server_me_8098", "ONLINE");
    controller.view(read -> FakeController.offlineView("events_0", states));

    List<URI> peers = finder.findPeers(SEGMENT).block(TIMEOUT);

    assertThat(peers)
        .containsExactlyInAnyOrder(
            URI.create("http://host-1:" + (9000 + '1') + "/segments/events_OFFLINE/events_0"),
            URI.create("http://host-4:" + (9000 + '4') + "/segments/events_OFFLINE/events_0"));
    assertThat(controller.requests()).contains("/tables/events/externalview?tableType=OFFLINE");
  }

  @Test
  void returnsPeersInRandomOrder() {
    Map<String, String> states = new LinkedHashMap<>();
    for (String id :
        List.of("Server_h1_8098", "Server_h2_8098", "Server_h3_8098", "Server_h4_8098")) {
      states.put(id, "ONLINE");
    }
    controller.view(read -> FakeController.offlineView("events_0", states));

    java.util.Set<List<URI>> orders = new java.util.HashSet<>();
    for (int i = 0; i < 30; i++) {
      orders.add(finder.findPeers(SEGMENT).block(TIMEOUT));
    }
    assertThat(orders).hasSizeGreaterThan(1);
  }

  @Test
  void readsTheViewAfreshEveryTime() {
    controller.view(
        read ->
            FakeController.offlineView(
                "events_0", Map.of("Server_h1_8098", read < 3 ? "CONSUMING" : "ONLINE")));

    assertThat(finder.findPeers(SEGMENT).block(TIMEOUT)).isEmpty();
    assertThat(finder.findPeers(SEGMENT).block(TIMEOUT)).isEmpty();
    assertThat(finder.findPeers(SEGMENT).block(TIMEOUT)).hasSize(1);
    assertThat(controller.viewReads()).isEqualTo(3);
  }

  @Test
  void noViewAndUnknownSegmentsMeanNoPeers() {
    controller.view(read -> null);
    assertThat(finder.findPeers(SEGMENT).block(TIMEOUT)).isEmpty();
    controller.view(
        read -> "{\"OFFLINE\":{\"other\":{\"Server_h1_8098\":\"ONLINE\"}},\"REALTIME\":null}");
    assertThat(finder.findPeers(SEGMENT).block(TIMEOUT)).isEmpty();
  }

  @Test
  void anInstanceWithoutARecordIsLeftOutAndMissingAdminPortsFallBack() {
    controller.instance("Server_h5_8098", "host-5", -1);
    controller.view(
        read ->
            FakeController.offlineView(
                "events_0", Map.of("Server_gone_8098", "ONLINE", "Server_h5_8098", "ONLINE")));

    assertThat(finder.findPeers(SEGMENT).block(TIMEOUT))
        .containsExactly(URI.create("http://host-5:8097/segments/events_OFFLINE/events_0"));
  }

  @Test
  void aFailingControllerIsUnavailable() {
    controller.view(read -> "{}");
    controller.viewStatus(500);
    StepVerifier.create(finder.findPeers(SEGMENT))
        .expectError(SourceUnavailableException.class)
        .verify(TIMEOUT);

    controller.viewStatus(200);
    controller.view(read -> "not json");
    StepVerifier.create(finder.findPeers(SEGMENT))
        .expectError(SourceUnavailableException.class)
        .verify(TIMEOUT);
  }
}
