package io.segmenttransfer.http.limits;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts a listener's open connections and refuses those beyond the limit: the refused connection
 * gets a {@code 503} (no request is read, nothing reaches the routes) and is closed. The count
 * drops when a connection closes, so a client is served again once others left.
 *
 * <p>On an HTTPS listener the refusal sits behind the TLS handler: the handshake completes and the
 * {@code 503} goes out encrypted, so the client reads an answer naming the overload rather than
 * plaintext it would take for a broken TLS record. (Closing before the handshake would cost less,
 * but the client could only report a connection closed during the handshake, which reads like a
 * certificate problem.) Netty's handshake timeout bounds a client that never completes it.
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
    ChannelHandlerContext tls = channel.pipeline().context(SslHandler.class);
    if (tls != null) {
      channel.pipeline().addAfter(tls.name(), REFUSE, new Refusal());
    } else {
      channel.pipeline().addFirst(REFUSE, new Refusal());
    }
    return false;
  }

  /**
   * Writes the refusal once active, drops whatever the client sends, and closes. Behind a TLS
   * handler the write is held until the handshake completes, then encrypted.
   */
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
