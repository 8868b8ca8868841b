package io.segmenttransfer.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.controller.client.ControllerClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.test.StepVerifier;

/**
 * Requests back to back on one keep-alive connection are all answered. With reactor-netty 1.3.7 a
 * request that arrives before the previous one's handling has wound down is buffered, and when it
 * is then answered at once the connection stops reading (reactor-netty#4361): the next request
 * waits for ever. The servers subscribe their handlers off the dispatching thread to avoid that.
 */
class KeepAliveTest {

  private static final int REQUESTS = 300;

  @TempDir Path dir;
  private EmbeddedController controller;
  private ConnectionProvider oneConnection;

  @BeforeEach
  void start() {
    controller = EmbeddedController.start(ControllerConfig.defaults(dir).withPort(0));
    oneConnection = ConnectionProvider.create("keep-alive-test", 1);
  }

  @AfterEach
  void stop() {
    oneConnection.dispose();
    controller.close();
  }

  @Test
  void everyRequestOnOneKeptAliveConnectionIsAnswered() {
    ControllerClient client =
        new ControllerClient(
            HttpClient.create(oneConnection), controller.baseUrl(), Schedulers.boundedElastic());
    client.register("s1", 8098, 8097).block(Duration.ofSeconds(10));

    for (int i = 0; i < REQUESTS; i++) {
      // A change is answered from the store's thread, so its handling winds down a little after
      // the response is out, and the next request can arrive before it has...
      StepVerifier.create(client.register("h" + i, 8098, 8097))
          .expectNext("Server_h" + i + "_8098")
          .expectComplete()
          .verify(Duration.ofSeconds(10));
      // ...and this one is answered at once, on the thread that dispatches it.
      StepVerifier.create(client.assignment("Server_s1_8098", -1, Duration.ZERO))
          .assertNext(assignment -> assertThat(assignment.segments()).isEmpty())
          .expectComplete()
          .verify(Duration.ofSeconds(10));
    }
  }
}
