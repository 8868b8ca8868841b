package io.segmenttransfer.http;

import io.netty.buffer.ByteBuf;
import io.segmenttransfer.core.stream.ChunkCoalescer;
import java.nio.ByteBuffer;

/** Netty body buffers as the core's {@link ChunkCoalescer} gathers them into chunks. */
public final class NettyBuffers {

  private NettyBuffers() {}

  /**
   * Largest body buffer to let an HTTP decoder hand over (Netty's default is 8 KiB): one socket
   * read at most (Netty's adaptive read buffer tops out at 64 KiB), so a read is one buffer and the
   * per-buffer work runs an eighth as often.
   */
  public static final int MAX_NETWORK_BUFFER = 64 * 1024;

  /**
   * Netty buffers, retained from {@code onNext} (reactor-netty releases its own reference when
   * {@code onNext} returns) until copied into a chunk, or until the read is cancelled or fails.
   */
  public static final ChunkCoalescer.Adapter<ByteBuf> COALESCING =
      new ChunkCoalescer.Adapter<>() {
        @Override
        public ByteBuf hold(ByteBuf buf) {
          return buf.retain();
        }

        @Override
        public int remaining(ByteBuf buf) {
          return buf.readableBytes();
        }

        @Override
        public void copyTo(ByteBuf buf, ByteBuffer target) {
          int n = Math.min(buf.readableBytes(), target.remaining());
          int limit = target.limit();
          target.limit(target.position() + n);
          buf.readBytes(target);
          target.limit(limit);
        }

        @Override
        public void release(ByteBuf buf) {
          buf.release();
        }
      };
}
