package io.segmenttransfer.controller;

import static io.segmenttransfer.controller.ControllerTestSupport.TIMEOUT;
import static io.segmenttransfer.controller.ControllerTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.cluster.InstanceInfo;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/**
 * An instance registered under an explicit id ({@code --instance-id}) reads back through the
 * client.
 */
class CustomInstanceIdTest {

  @TempDir Path dir;
  private EmbeddedController controller;
  private ControllerClient client;

  @BeforeEach
  void start() {
    controller = EmbeddedController.start(ControllerConfig.defaults(dir).withPort(0));
    client = ControllerClient.create(controller.baseUrl());
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  @Test
  void anInstanceWithACustomIdReadsBackWithItsHostAndPorts() {
    StepVerifier.create(client.register("10.0.0.9", 8098, 9097, "pinot-server-7"))
        .expectNext("pinot-server-7")
        .expectComplete()
        .verify(TIMEOUT);
    // The record names the id, not Server_<host>_<port>: the host and ports come from its fields.
    assertThat(
            get(controller.baseUrl(), "/instances/pinot-server-7")
                .json()
                .get("instanceName")
                .asText())
        .isEqualTo("pinot-server-7");

    StepVerifier.create(client.instance("pinot-server-7"))
        .expectNext(
            new InstanceInfo("pinot-server-7", "10.0.0.9", 8098, 9097, InstanceInfo.SERVER, true))
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void anHttpsAdminPortIsKeptServedAndRememberedAcrossARestart() {
    client.register("10.0.0.7", 8098, 9443, 9443, null).block(TIMEOUT);
    InstanceInfo https =
        new InstanceInfo(null, "10.0.0.7", 8098, 9443, InstanceInfo.SERVER, true, 9443);
    assertThat(
            get(controller.baseUrl(), "/instances/Server_10.0.0.7_8098")
                .json()
                .get("adminHttpsPort")
                .asInt())
        .isEqualTo(9443);
    assertThat(client.instance("Server_10.0.0.7_8098").block(TIMEOUT)).isEqualTo(https);
    assertThat(https.adminUri("/health", null).toString())
        .isEqualTo("https://10.0.0.7:9443/health");

    controller.close();
    controller = EmbeddedController.start(ControllerConfig.defaults(dir).withPort(0));
    client = ControllerClient.create(controller.baseUrl());
    assertThat(client.instance("Server_10.0.0.7_8098").block(TIMEOUT)).isEqualTo(https);
    // A plain registration has none, and its record shows none.
    client.register("10.0.0.6", 8098, 9097).block(TIMEOUT);
    assertThat(
            get(controller.baseUrl(), "/instances/Server_10.0.0.6_8098")
                .json()
                .has("adminHttpsPort"))
        .isFalse();
    assertThat(client.instance("Server_10.0.0.6_8098").block(TIMEOUT).adminUri("/health", null))
        .hasToString("http://10.0.0.6:9097/health");
  }

  @Test
  void aConventionalIdStillReadsBack() {
    client.register("10.0.0.8", 8098, 9097).block(TIMEOUT);

    StepVerifier.create(client.instance("Server_10.0.0.8_8098"))
        .expectNext(InstanceInfo.server("10.0.0.8", 8098, 9097))
        .expectComplete()
        .verify(TIMEOUT);
  }
}
