package io.segmenttransfer.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy that, once {@link #arm armed}, resets the first connection whose bytes to
 * the client pass a threshold: a download cut mid-body, as a load balancer restart or a flaky path
 * cuts one. One cut per arming, so a retry or a resumed request then goes through. Plain blocking
 * sockets on its own threads (two per connection), never on an event loop.
 */
final class ResettingTcpProxy implements AutoCloseable {

  private static final int BUFFER = 64 * 1024;

  private final InetSocketAddress target;
  private final long cutAfterBytes;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean armed = new AtomicBoolean();
  private final AtomicInteger cuts = new AtomicInteger();
  private volatile boolean closed;

  /** Listens on a free loopback port; forwards to {@code target}; unarmed. */
  ResettingTcpProxy(InetSocketAddress target, long cutAfterBytes) throws IOException {
    this.target = target;
    this.cutAfterBytes = cutAfterBytes;
    this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "resetting-proxy-accept-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** {@code http://127.0.0.1:<port>}. */
  URI httpEndpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /** The next connection to pass the threshold is reset (once). */
  void arm() {
    armed.set(true);
  }

  /** Connections reset so far. */
  int cuts() {
    return cuts.get();
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      Thread connect = new Thread(() -> connect(client), "resetting-proxy-connect");
      connect.setDaemon(true);
      connect.start();
    }
  }

  private void connect(Socket client) {
    open.add(client);
    Socket upstream = new Socket();
    try {
      upstream.connect(target, 10_000);
      open.add(upstream);
    } catch (IOException e) {
      closeQuietly(client, false);
      closeQuietly(upstream, false);
      return;
    }
    Thread requests = new Thread(() -> pipe(client, upstream, false), "resetting-proxy-up");
    requests.setDaemon(true);
    requests.start();
    pipe(upstream, client, true);
  }

  /** Copies one direction; towards the client, counts and cuts when armed. */
  private void pipe(Socket from, Socket to, boolean toClient) {
    byte[] buffer = new byte[BUFFER];
    long sent = 0;
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        out.write(buffer, 0, n);
        sent += n;
        if (toClient && sent >= cutAfterBytes && armed.compareAndSet(true, false)) {
          cuts.incrementAndGet();
          // SO_LINGER 0: the close sends a RST, not a FIN: the client sees a reset mid-body.
          closeQuietly(to, true);
          closeQuietly(from, false);
          return;
        }
      }
      to.shutdownOutput();
    } catch (IOException e) {
      closeQuietly(from, false);
      closeQuietly(to, false);
    }
  }

  private void closeQuietly(Socket socket, boolean reset) {
    open.remove(socket);
    try {
      if (reset) {
        socket.setSoLinger(true, 0);
      }
      socket.close();
    } catch (IOException ignored) {
      // Already broken: closing is all that was wanted.
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // Stopping a benchmark fixture: nothing to report to.
    }
    open.forEach(s -> closeQuietly(s, false));
  }
}
