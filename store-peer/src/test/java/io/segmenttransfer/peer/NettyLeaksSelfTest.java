package io.segmenttransfer.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The leak check can fail: a buffer dropped without release is reported. */
class NettyLeaksSelfTest {

  @Test
  void aDroppedBufferIsReported() {
    NettyLeaks.install();
    NettyLeaks.collect();
    leak();
    assertThat(NettyLeaks.collect()).anySatisfy(report -> assertThat(report).startsWith("LEAK: ByteBuf"));
  }

  private static void leak() {
    ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(1024);
    buffer.writeLong(42);
  }
}
