package io.segmenttransfer.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segmenttransfer.core.error.InvalidRequestException;
import org.junit.jupiter.api.Test;

/**
 * Instance records as Pinot and the embedded controller serve them, conventional and custom ids.
 */
class InstanceInfoJsonTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void readsPinotsExactShape() {
    // Pinot 1.5.0's GET /instances/{id}: port a string, adminPort a number, keys we do not use.
    JsonNode pinot =
        json(
            "{\"instanceName\": \"Server_127.0.0.1_19098\", \"hostName\": \"127.0.0.1\", \"enabled\": true,"
                + " \"port\": \"19098\", \"tags\": [\"DefaultTenant_OFFLINE\", \"DefaultTenant_REALTIME\"], \"pools\": null,"
                + " \"grpcPort\": -1, \"adminPort\": 19097, \"queryServicePort\": -1, \"queryMailboxPort\": -1,"
                + " \"systemResourceInfo\": null}");

    assertThat(InstanceInfoJson.read(pinot))
        .isEqualTo(InstanceInfo.server("127.0.0.1", 19098, 19097));
  }

  @Test
  void readsACustomIdWithTheHostAndPortsTheRecordStates() {
    JsonNode record =
        json(
            "{\"instanceName\":\"pinot-server-7\",\"hostName\":\"10.1.2.3\",\"enabled\":true,"
                + "\"port\":\"8098\",\"tags\":[\"DefaultTenant_OFFLINE\"],\"grpcPort\":-1,\"adminPort\":9097}");

    assertThat(InstanceInfoJson.read(record))
        .isEqualTo(
            new InstanceInfo("pinot-server-7", "10.1.2.3", 8098, 9097, InstanceInfo.SERVER, true));
  }

  @Test
  void aConventionalIdDoesNotOverrideTheRecordsHost() {
    JsonNode record =
        json(
            "{\"instanceName\":\"Server_10.0.0.1_8098\",\"hostName\":\"pinot-server-0.pinot\","
                + "\"port\":8098,\"adminPort\":8097}");

    InstanceInfo info = InstanceInfoJson.read(record);
    assertThat(info.id()).isEqualTo("Server_10.0.0.1_8098");
    assertThat(info.host()).isEqualTo("pinot-server-0.pinot");
    assertThat(info.port()).isEqualTo(8098);
  }

  @Test
  void theIdNamesTheHostAndPortOnlyWhenTheRecordDoesNot() {
    InstanceInfo info =
        InstanceInfoJson.read(json("{\"instanceName\":\"Server_h9_8098\",\"adminPort\":9097}"));
    assertThat(info).isEqualTo(InstanceInfo.server("h9", 8098, 9097));

    assertThatThrownBy(
            () ->
                InstanceInfoJson.read(
                    json("{\"instanceName\":\"pinot-server-7\",\"port\":\"8098\"}")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("pinot-server-7");
  }

  @Test
  void anUnusableAdminPortGetsTheDefault() {
    String base = "{\"instanceName\":\"Server_h_8098\",\"hostName\":\"h\",\"port\":\"8098\"";
    assertThat(InstanceInfoJson.read(json(base + "}")).adminPort())
        .isEqualTo(InstanceInfo.DEFAULT_ADMIN_PORT);
    assertThat(InstanceInfoJson.read(json(base + ",\"adminPort\":-1}")).adminPort())
        .isEqualTo(8097);
    assertThat(InstanceInfoJson.read(json(base + ",\"adminPort\":null}")).adminPort())
        .isEqualTo(8097);
    assertThat(InstanceInfoJson.read(json(base + ",\"adminPort\":70000}")).adminPort())
        .isEqualTo(8097);
    assertThat(InstanceInfoJson.read(json(base + ",\"adminPort\":\"9097\"}")).adminPort())
        .isEqualTo(9097);
    assertThat(InstanceInfoJson.read(json(base + "}"), 7000).adminPort()).isEqualTo(7000);
  }

  @Test
  void aLegacyServerPrefixInTheHostNameIsDropped() {
    JsonNode record =
        json(
            "{\"instanceName\":\"Server_10.0.0.5_8098\",\"hostName\":\"Server_10.0.0.5\",\"port\":\"8098\"}");
    assertThat(InstanceInfoJson.read(record).host()).isEqualTo("10.0.0.5");
  }

  @Test
  void typeComesFromTheIdsPrefixOrElseTheTags() {
    assertThat(
            InstanceInfoJson.read(
                    json(
                        "{\"instanceName\":\"Broker_b_8099\",\"hostName\":\"b\",\"port\":\"8099\"}"))
                .type())
        .isEqualTo("BROKER");
    assertThat(
            InstanceInfoJson.read(
                    json(
                        "{\"instanceName\":\"broker-1\",\"hostName\":\"b\",\"port\":\"8099\","
                            + "\"tags\":[\"DefaultTenant_BROKER\"]}"))
                .type())
        .isEqualTo("BROKER");
    assertThat(
            InstanceInfoJson.read(
                    json(
                        "{\"instanceName\":\"server-1\",\"hostName\":\"s\",\"port\":\"8098\","
                            + "\"tags\":[\"DefaultTenant_REALTIME\"]}"))
                .isServer())
        .isTrue();
  }

  @Test
  void aPinotIdDerivedFromAnIpv6HostIsAccepted() {
    JsonNode record =
        json(
            "{\"instanceName\":\"Server_fe80::1_8098\",\"hostName\":\"fe80::1\",\"port\":\"8098\",\"adminPort\":8097}");
    assertThat(InstanceInfoJson.read(record)).isEqualTo(InstanceInfo.server("fe80::1", 8098, 8097));
  }

  @Test
  void disabledInstancesReadAsDisabled() {
    assertThat(
            InstanceInfoJson.read(
                    json(
                        "{\"instanceName\":\"Server_h_1\",\"hostName\":\"h\",\"port\":\"1\","
                            + "\"enabled\":false}"))
                .enabled())
        .isFalse();
  }

  @Test
  void refusesWhatIsNoInstanceRecord() {
    for (String bad :
        new String[] {
          "[]",
          "{\"hostName\":\"h\",\"port\":\"1\"}",
          "{\"instanceName\":\"\",\"hostName\":\"h\"}",
          "{\"instanceName\":\"bad id/..\",\"hostName\":\"h\",\"port\":\"1\"}",
          "{\"instanceName\":\"Server_h_1\",\"hostName\":\"a/b\",\"port\":\"1\"}"
        }) {
      assertThatThrownBy(() -> InstanceInfoJson.read(json(bad)))
          .as(bad)
          .isInstanceOf(InvalidRequestException.class);
    }
  }
}
