package io.segmenttransfer.http.limits;

import io.netty.channel.Channel;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * Applies {@link ListenerLimits} to a reactor-netty {@link HttpServer}, in one call every listener
 * makes ({@code HttpServerLimits.apply(HttpServer.create(), limits)}):
 *
 * <ul>
 *   <li>request line and header sizes: the request decoder's own limits (reactor-netty answers 414
 *       and 431 and closes);
 *   <li>concurrent connections: {@link ConnectionCap} answers 503 and closes beyond the limit;
 *   <li>the request timeout from a request's first byte until its headers are complete: {@link
 *       RequestDeadline}, since reactor-netty's idle timeout restarts with every byte a slow client
 *       trickles in, and its read and request timeouts only start once the headers are complete;
 *   <li>the gap between two reads of a body: reactor-netty's {@code readTimeout};
 *   <li>a connection waiting for its next request: reactor-netty's {@code idleTimeout};
 *   <li>the body limits: kept on each connection for the routes ({@link ListenerLimits#of}).
 * </ul>
 */
public final class HttpServerLimits {

  private HttpServerLimits() {}

  /** {@code server} with {@code limits} applied; configure host, port and routes after it. */
  public static HttpServer apply(HttpServer server, ListenerLimits limits) {
    ConnectionCap cap = new ConnectionCap(limits.maxConnections());
    return server
        .httpRequestDecoder(
            spec ->
                spec.maxInitialLineLength(limits.maxInitialLineLength())
                    .maxHeaderSize(limits.maxHeaderSize()))
        .idleTimeout(limits.idleTimeout())
        .readTimeout(limits.bodyReadTimeout())
        .doOnChannelInit(
            (observer, channel, remote) -> {
              channel.attr(ListenerLimits.ATTRIBUTE).set(limits);
              if (!cap.admit(channel)) {
                return;
              }
              addDeadline(channel, limits);
            });
  }

  private static void addDeadline(Channel channel, ListenerLimits limits) {
    RequestDeadline deadline = new RequestDeadline(limits.requestTimeout());
    channel.pipeline().addFirst(RequestDeadline.FIRST_BYTE, deadline.firstByte());
    if (channel.pipeline().get(NettyPipeline.HttpCodec) != null) {
      channel
          .pipeline()
          .addAfter(NettyPipeline.HttpCodec, RequestDeadline.HEADERS_DONE, deadline.headersDone());
    } else {
      throw new IllegalStateException(
          "no HTTP codec in the pipeline " + channel.pipeline().names());
    }
  }
}
