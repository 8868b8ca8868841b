package io.segmenttransfer.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/** The socket reads of a download client, over a real loopback connection. */
class NettyBuffersTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final int BODY = 2 * 1024 * 1024;

  private final LoopResources serverLoops = LoopResources.create("buffers-test-server", 1, true);
  private final ConnectionProvider pool = ConnectionProvider.newConnection();
  private final byte[] body = new byte[BODY];
  private DisposableServer server;

  @BeforeEach
  void startServer() {
    new Random(7).nextBytes(body);
    server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .runOn(serverLoops)
            .handle(
                (request, response) ->
                    response
                        .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(BODY))
                        .send(Mono.fromCallable(() -> Unpooled.wrappedBuffer(body))))
            .bindNow();
  }

  @AfterEach
  void stopServer() {
    server.disposeNow();
    serverLoops.disposeLater().block(TIMEOUT);
    pool.disposeLater().block(TIMEOUT);
  }

  @Test
  void aDownloadClientHandsOverBuffersOfUpToOneChunk() {
    List<Integer> sizes = bufferSizes(NettyBuffers.withChunkSizedReads(HttpClient.create(pool)));

    assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(BODY);
    assertThat(sizes)
        .allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(NettyBuffers.MAX_NETWORK_BUFFER));
    assertThat(sizes.stream().mapToInt(Integer::intValue).max().orElseThrow())
        .as("reads larger than Netty's 64 KiB")
        .isGreaterThan(64 * 1024);
  }

  /** The control: without it, Netty's HTTP decoder hands the same body over 8 KiB at a time. */
  @Test
  void aDefaultClientHandsOverEightKibibytesAtATime() {
    List<Integer> sizes = bufferSizes(HttpClient.create(pool));

    assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(BODY);
    assertThat(sizes).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(8192));
  }

  /**
   * The body's buffer sizes, read only after the whole body had time to reach the client's socket,
   * so every read can fill its buffer and the adaptive reads grow to their largest.
   */
  private List<Integer> bufferSizes(HttpClient client) {
    return client
        .get()
        .uri("http://127.0.0.1:" + server.port() + "/")
        .response(
            (response, content) ->
                Mono.delay(Duration.ofMillis(300)).thenMany(content.map(ByteBuf::readableBytes)))
        .collectList()
        .block(TIMEOUT);
  }
}
