package io.segmenttransfer.server;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * The AWS SDK's Netty client closes its channel pools on Netty's global event executor and waits
 * there for each channel to close: the SDK's own shutdown, not a path of ours. Allowed so that
 * BlockHound, installed for the whole test JVM, reports only blocking calls this project makes.
 */
public final class SdkShutdownAllowance implements BlockHoundIntegration {

  @Override
  public void applyTo(BlockHound.Builder builder) {
    builder.allowBlockingCallsInside("io.netty.channel.pool.SimpleChannelPool", "close");
  }
}
