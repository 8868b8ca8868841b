package io.segmenttransfer.core.testing;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * The one list of blocking calls allowed inside libraries, not paths of ours, so that BlockHound
 * (installed for every test JVM by {@link TestGuards}) reports only what this project does.
 * Registered in the core test-jar's {@code META-INF/services}. Never add a path of this project
 * here: fix the blocking call instead.
 */
public final class LibraryBlockingAllowances implements BlockHoundIntegration {

  @Override
  public void applyTo(BlockHound.Builder builder) {
    builder
        // The AWS SDK's Netty client closes its channel pools on Netty's global executor.
        .allowBlockingCallsInside("io.netty.channel.pool.SimpleChannelPool", "close")
        // Netty 4.2's adaptive allocator briefly takes a StampedLock when it grows or frees a
        // magazine; its own BlockHound integration does not list these paths yet.
        .allowBlockingCallsInside(
            "io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines")
        .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free")
        // The test logger prints to stderr; logging is not what is under test.
        .allowBlockingCallsInside("org.slf4j.simple.SimpleLogger", "write")
        // zstd-jni reads its native library out of its jar once, when the Zstd class initialises,
        // on whichever thread first touches it (in the benchmarks, a generator on a single thread).
        .allowBlockingCallsInside("com.github.luben.zstd.util.Native", "load")
        // Jackson builds a type's deserializer once, under a short lock; two event loops reading
        // the same JSON type for the first time at the same moment (a controller that starts while
        // a server is already calling it) may meet on it.
        .allowBlockingCallsInside(
            "com.fasterxml.jackson.databind.deser.DeserializerCache",
            "_createAndCacheValueDeserializer");
  }
}
