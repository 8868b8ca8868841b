package io.segmenttransfer.http.limits;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts a listener's open connections and refuses those beyond the limit: the refused connection
 * gets a plain {@code 503} written straight to the socket (no request is read, nothing reaches the
 * routes) and is closed. The count drops when a connection closes, so a client is served again once
 * others left.
 */
final class ConnectionCap {

  static final String REFUSE = "segmenttransfer.connectionCap";

  private static final byte[] REFUSAL =
      ("HTTP/1.1 503 Service Unavailable\r\n"
              + "Content-Type: application/json\r\n"
              + "Connection: close\r\n"
              + "Retry-After: 1\r\n"
              + "Content-Length: 60\r\n\r\n"
              + "{\"code\":503,\"error\":\"too many connections to this listener\"}")
          .getBytes(StandardCharsets.US_ASCII);

  private final int max;
  private final AtomicInteger open = new AtomicInteger();

  ConnectionCap(int max) {
    this.max = max;
  }

  /**
   * Counts a new connection until it closes; false (and the connection set up to be refused) when
   * it is one too many.
   */
  boolean admit(Channel channel) {
    int now = open.incrementAndGet();
    channel.closeFuture().addListener(closed -> open.decrementAndGet());
    if (now <= max) {
      return true;
    }
    channel.pipeline().addFirst(REFUSE, new Refusal());
    return false;
  }

  /** Writes the refusal once active, drops whatever the client sends, and closes. */
  private static final class Refusal extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(REFUSAL)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }
  }
}
