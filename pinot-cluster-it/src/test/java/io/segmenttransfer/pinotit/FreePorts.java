package io.segmenttransfer.pinotit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Free loopback ports for Pinot's roles, which take their ports from configuration rather than
 * binding port 0 and reporting it: the port is bound once to let the kernel pick one, then released
 * for the role. A port taken by someone else in between makes that role fail to start, which the
 * harness reports with its log.
 */
final class FreePorts {

  private FreePorts() {}

  static int next() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }
}
