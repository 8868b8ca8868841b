package io.segmenttransfer.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.segmenttransfer.core.testing.Waits;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpResources;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

class SharedEventLoopsTest {

  /** reactor-netty names the threads of its shared client and server loops so. */
  private static final String SHARED_LOOP_PREFIX = "reactor-http-";

  /** The server runs on loops of its own, which the stop must leave alone. */
  private final LoopResources serverLoops = LoopResources.create("loops-test-server", 1, true);

  private DisposableServer server;

  @BeforeEach
  void startServer() {
    server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .runOn(serverLoops)
            .handle((request, response) -> response.sendString(Mono.just("ok")))
            .bindNow();
  }

  @AfterEach
  void stopServer() {
    server.disposeNow();
    serverLoops.disposeLater().block(Duration.ofSeconds(10));
    SharedEventLoops.stopBeforeExit();
  }

  @Test
  void stopsTheLoopsAClientStartedAndAClientAfterwardsStillWorks() {
    assertThat(get(server)).isEqualTo("ok");
    assertThat(sharedLoopThreads()).isNotEmpty();

    SharedEventLoops.stopBeforeExit();

    // Awaited, briefly: a loop signals its termination from its own thread, which then still has
    // to return from its run loop, so on a busy machine it may be alive a moment after the stop
    // returned. Loops that were not stopped never end, so the wait still fails for them.
    Waits.await("the shared loop threads ended")
        .atMost(Duration.ofSeconds(10))
        .until(() -> sharedLoopThreads().isEmpty());
    // The next client gets fresh loops: stopping is safe even if something still runs after it.
    assertThat(get(server)).isEqualTo("ok");
  }

  @Test
  void aPoolClosingItsConnectionsOnLoopsAlreadyStoppedDoesNotFailTheExit() {
    // Leaves a connection in the shared pool.
    assertThat(get(server)).isEqualTo("ok");
    // The loops stop first, as when their disposal wins the race with the pool's: the pool's
    // close of that connection is then refused by a terminated loop, and the refusal was
    // thrown on the command's main thread as the command exited (seen once: a stack trace
    // after a server command's one-line error).
    HttpResources.get()
        .onClient(LoopResources.DEFAULT_NATIVE)
        .shutdownGracefully(0, 1, TimeUnit.SECONDS)
        .syncUninterruptibly();

    assertThatCode(SharedEventLoops::stopBeforeExit).doesNotThrowAnyException();
  }

  private static String get(DisposableServer server) {
    return HttpClient.create()
        .get()
        .uri("http://127.0.0.1:" + server.port() + "/")
        .responseContent()
        .aggregate()
        .asString()
        .block(Duration.ofSeconds(10));
  }

  private static List<String> sharedLoopThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith(SHARED_LOOP_PREFIX))
        .collect(Collectors.toList());
  }
}
