package io.segmenttransfer.pinotit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Free loopback ports for Pinot's roles, which take their ports from configuration rather than
 * binding port 0 and reporting it: the port is bound once to let the kernel pick one, then released
 * for the role. The kernel may pick a just-released port again, so a port is never handed out twice
 * in this JVM (a server once got the same port for its query and admin listeners, and died). A port
 * taken by someone else in between makes that role fail to start, which the harness reports with
 * its log.
 */
final class FreePorts {

  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private FreePorts() {}

  static synchronized int next() {
    while (true) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int port = socket.getLocalPort();
        if (HANDED_OUT.add(port)) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("no free loopback port", e);
      }
    }
  }
}
