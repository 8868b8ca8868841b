package io.segmenttransfer.pinotfetcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on a loopback port that resets a connection once it has carried {@code cutAfterBytes}
 * bytes from the server (headers included), for the first {@code connectionsToCut} connections that
 * get that far (short exchanges, such as a HEAD, pass): a connection reset mid-body, as a flaky
 * network or a dying peer produces it. Plain threads (test code, not an event loop); every socket
 * is closed by {@link #close()}.
 */
final class CuttingTcpProxy implements AutoCloseable {

  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final long cutAfterBytes;
  private final int connectionsToCut;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger cuts = new AtomicInteger();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  CuttingTcpProxy(int targetPort, long cutAfterBytes, int connectionsToCut) throws IOException {
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
    this.cutAfterBytes = cutAfterBytes;
    this.connectionsToCut = connectionsToCut;
    Thread acceptor = new Thread(this::accept, "cutting-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Connections accepted so far. */
  int connections() {
    return connections.get();
  }

  /** Connections reset mid-stream so far. */
  int cuts() {
    return cuts.get();
  }

  private boolean takeCut() {
    return cuts.getAndUpdate(c -> c < connectionsToCut ? c + 1 : c) < connectionsToCut;
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(target.getAddress(), target.getPort());
        sockets.add(client);
        sockets.add(server);
        connections.incrementAndGet();
        start(() -> pump(client, server, Long.MAX_VALUE), "cutting-proxy-up");
        start(() -> pump(server, client, cutAfterBytes), "cutting-proxy-down");
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void pump(Socket from, Socket to, long limit) {
    byte[] buffer = new byte[8192];
    long sent = 0;
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        if (sent + n > limit && takeCut()) {
          out.write(buffer, 0, (int) (limit - sent));
          out.flush();
          reset(to);
          reset(from);
          return;
        }
        out.write(buffer, 0, n);
        sent += n;
      }
    } catch (IOException e) {
      // The other side went away: close both below.
    }
    closeQuietly(to);
    closeQuietly(from);
  }

  /** Closes with RST rather than FIN: the reader sees "connection reset", not a clean end. */
  private static void reset(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (IOException e) {
      // already closed
    }
    closeQuietly(socket);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  private static void start(Runnable task, String name) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() throws IOException {
    listener.close();
    sockets.forEach(CuttingTcpProxy::closeQuietly);
  }
}
