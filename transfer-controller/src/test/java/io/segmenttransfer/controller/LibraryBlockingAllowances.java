package io.segmenttransfer.controller;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Blocking calls inside libraries, not paths of ours, allowed so that BlockHound (installed for the
 * whole test JVM) reports only what this project does: the AWS SDK's Netty client closing its
 * channel pools on Netty's global executor, Netty 4.2's adaptive allocator taking a short internal
 * lock when it grows or frees a magazine, and the simple logger writing a line (store-peer's tests
 * allow the same).
 */
public final class LibraryBlockingAllowances implements BlockHoundIntegration {

  @Override
  public void applyTo(BlockHound.Builder builder) {
    builder.allowBlockingCallsInside("io.netty.channel.pool.SimpleChannelPool", "close")
        .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines")
        .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free")
        .allowBlockingCallsInside("org.slf4j.simple.SimpleLogger", "write");
  }
}
