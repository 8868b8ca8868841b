package io.segmenttransfer.http.limits;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One connection's deadline for a request's headers: armed by the first byte of a request (seen in
 * front of the HTTP decoder), cancelled when the decoder hands out the request's headers (seen
 * behind it), and armed again by the first byte after the response. When it passes, the client gets
 * {@code 408} and the connection is closed, so a client trickling its headers byte by byte
 * (slowloris) holds a connection and the decoder's buffer for at most the timeout.
 *
 * <p>Both handlers run on the connection's event loop, so the state needs no synchronisation.
 */
final class RequestDeadline {

  static final String FIRST_BYTE = "segmenttransfer.requestDeadline.firstByte";
  static final String HEADERS_DONE = "segmenttransfer.requestDeadline.headersDone";

  private static final byte[] BODY =
      "{\"code\":408,\"error\":\"request headers not complete within the request timeout\"}"
          .getBytes(StandardCharsets.US_ASCII);

  private final long timeoutNanos;

  /** Between the request's headers and the end of its response: no deadline runs. */
  private boolean inRequest;

  private ScheduledFuture<?> timer;
  private ChannelHandlerContext behindDecoder;

  RequestDeadline(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  /** Goes first in the pipeline: raw bytes arrive here before the decoder sees them. */
  ChannelHandler firstByte() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!inRequest && timer == null) {
          timer =
              ctx.executor()
                  .schedule(RequestDeadline.this::expire, timeoutNanos, TimeUnit.NANOSECONDS);
        }
        ctx.fireChannelRead(msg);
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
      }
    };
  }

  /** Goes right behind the HTTP codec: sees decoded requests and the responses written. */
  ChannelHandler headersDone() {
    return new ChannelDuplexHandler() {
      @Override
      public void handlerAdded(ChannelHandlerContext ctx) {
        behindDecoder = ctx;
      }

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
          cancel();
          inRequest = true;
        }
        ctx.fireChannelRead(msg);
      }

      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent) {
          inRequest = false;
        }
        ctx.write(msg, promise);
      }
    };
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void expire() {
    timer = null;
    if (inRequest || behindDecoder == null || !behindDecoder.channel().isActive()) {
      return;
    }
    FullHttpResponse timeout =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.wrappedBuffer(BODY));
    timeout
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .set(HttpHeaderNames.CONTENT_LENGTH, BODY.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    behindDecoder.writeAndFlush(timeout).addListener(ChannelFutureListener.CLOSE);
  }
}
