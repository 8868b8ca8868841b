package io.segmenttransfer.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A loopback TCP proxy that makes each connection behave like one slow, distant TCP stream: every
 * connection, in each direction, is limited to {@link Throttle#bytesPerSecond()} and every byte
 * arrives {@link Throttle#latency()} after it was sent (so a request-response costs two latencies,
 * and a new connection two more for the handshake). A single stream is then capped at the per
 * connection rate, while N connections get N times that: what a cloud object store looks like from
 * one server, and what parallel ranged GETs are for.
 *
 * <p>Plain blocking sockets on the proxy's own threads (four per connection: a reader and a writer
 * per direction), never on an event loop. The reader paces itself to the rate; the writer holds
 * each chunk until its latency has passed, so what sits in the proxy per direction is about rate x
 * latency, and never more than {@value #QUEUED_CHUNKS} chunks of {@value #CHUNK_BYTES} bytes.
 */
public final class ThrottlingTcpProxy implements AutoCloseable {

  /**
   * The link each connection gets.
   *
   * @param bytesPerSecond bandwidth per connection and direction
   * @param latency one-way delay added to every byte
   */
  public record Throttle(long bytesPerSecond, Duration latency) {

    public static final long DEFAULT_BYTES_PER_SECOND = 30_000_000;
    public static final Duration DEFAULT_LATENCY = Duration.ofMillis(20);

    public Throttle {
      if (bytesPerSecond < 1) {
        throw new IllegalArgumentException(
            "bytesPerSecond must be positive, was " + bytesPerSecond);
      }
      if (latency == null || latency.isNegative()) {
        throw new IllegalArgumentException("latency must be zero or positive, was " + latency);
      }
    }

    public static Throttle defaults() {
      return new Throttle(DEFAULT_BYTES_PER_SECOND, DEFAULT_LATENCY);
    }

    @Override
    public String toString() {
      return String.format(
          "%.0f MB/s per connection, %d ms each way", bytesPerSecond / 1e6, latency.toMillis());
    }
  }

  static final int CHUNK_BYTES = 64 * 1024;
  static final int QUEUED_CHUNKS = 64;
  private static final byte[] END = new byte[0];

  private final InetSocketAddress target;
  private final Throttle throttle;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger openConnections = new AtomicInteger();
  private final AtomicInteger peakOpenConnections = new AtomicInteger();
  private final AtomicLong bytesToClients = new AtomicLong();
  private volatile boolean closed;

  /** Listens on a free loopback port and forwards each connection to {@code target}. */
  public ThrottlingTcpProxy(InetSocketAddress target, Throttle throttle) throws IOException {
    this.target = target;
    this.throttle = throttle;
    this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "throttling-proxy-accept-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** {@code http://127.0.0.1:<port>}: the proxy in front of an HTTP server. */
  public URI httpEndpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  public Throttle throttle() {
    return throttle;
  }

  /** Connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  /** The most connections open at once so far. */
  public int peakOpenConnections() {
    return peakOpenConnections.get();
  }

  /** Bytes forwarded from the target to clients so far. */
  public long bytesToClients() {
    return bytesToClients.get();
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      connections.incrementAndGet();
      Thread connect = new Thread(() -> connect(client), "throttling-proxy-connect");
      connect.setDaemon(true);
      connect.start();
    }
  }

  private void connect(Socket client) {
    track(client);
    Socket upstream = new Socket();
    try {
      // The handshake of a distant server: one round trip before the first request byte can leave.
      sleepNanos(2 * throttle.latency().toNanos());
      upstream.setTcpNoDelay(true);
      client.setTcpNoDelay(true);
      upstream.connect(target, 10_000);
      track(upstream);
    } catch (IOException e) {
      closeQuietly(client);
      closeQuietly(upstream);
      return;
    }
    peakOpenConnections.accumulateAndGet(openConnections.incrementAndGet(), Math::max);
    AtomicInteger directionsOpen = new AtomicInteger(2);
    Runnable done =
        () -> {
          if (directionsOpen.decrementAndGet() == 0) {
            openConnections.decrementAndGet();
            closeQuietly(client);
            closeQuietly(upstream);
          }
        };
    pipe(client, upstream, null, done);
    pipe(upstream, client, bytesToClients, done);
  }

  private void track(Socket socket) {
    open.add(socket);
    if (closed) {
      closeQuietly(socket);
    }
  }

  /** One direction: a reader paced to the rate, a writer that holds each chunk for the latency. */
  private void pipe(Socket from, Socket to, AtomicLong counter, Runnable done) {
    BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
    Thread reader = new Thread(() -> read(from, to, queue), "throttling-proxy-read");
    Thread writer =
        new Thread(() -> write(from, to, queue, counter, done), "throttling-proxy-write");
    reader.setDaemon(true);
    writer.setDaemon(true);
    reader.start();
    writer.start();
  }

  private record Chunk(byte[] bytes, long releaseAtNanos) {}

  private void read(Socket from, Socket to, BlockingQueue<Chunk> queue) {
    byte[] buffer = new byte[CHUNK_BYTES];
    long latency = throttle.latency().toNanos();
    double nanosPerByte = 1e9 / throttle.bytesPerSecond();
    long budgetFreeAt = System.nanoTime();
    try {
      InputStream in = from.getInputStream();
      while (true) {
        // Pace before reading: bytes not read stay in the kernel, so the sender feels the limit as
        // TCP backpressure.
        sleepUntil(budgetFreeAt);
        int n = in.read(buffer);
        if (n < 0) {
          enqueue(queue, new Chunk(END, System.nanoTime() + latency), from);
          return;
        }
        long now = System.nanoTime();
        // Credit for idle time is capped at 1 ms, so a connection cannot burst after a pause.
        budgetFreeAt = Math.max(budgetFreeAt, now - 1_000_000) + (long) (n * nanosPerByte);
        enqueue(queue, new Chunk(Arrays.copyOf(buffer, n), now + latency), from);
      }
    } catch (IOException e) {
      // A reset or close on this side: end both sides, as a real network path would.
      closeQuietly(from);
      closeQuietly(to);
      queue.offer(new Chunk(END, 0));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits for room; gives up once the writer has closed the connection (it closes {@code from} on
   * failure).
   */
  private static void enqueue(BlockingQueue<Chunk> queue, Chunk chunk, Socket from)
      throws InterruptedException, IOException {
    while (!queue.offer(chunk, 1, TimeUnit.SECONDS)) {
      if (from.isClosed()) {
        throw new IOException("connection closed by the other side");
      }
    }
  }

  private void write(
      Socket from, Socket to, BlockingQueue<Chunk> queue, AtomicLong counter, Runnable done) {
    try {
      OutputStream out = to.getOutputStream();
      while (true) {
        Chunk chunk = queue.poll(1, TimeUnit.SECONDS);
        if (chunk == null) {
          if (closed || from.isClosed()) {
            return;
          }
          continue;
        }
        if (chunk.bytes() == END) {
          if (!to.isClosed()) {
            to.shutdownOutput();
          }
          return;
        }
        sleepUntil(chunk.releaseAtNanos());
        out.write(chunk.bytes());
        if (counter != null) {
          counter.addAndGet(chunk.bytes().length);
        }
      }
    } catch (IOException e) {
      closeQuietly(from);
      closeQuietly(to);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      done.run();
    }
  }

  private static void sleepUntil(long deadlineNanos) {
    sleepNanos(deadlineNanos - System.nanoTime());
  }

  private static void sleepNanos(long nanos) {
    long deadline = System.nanoTime() + nanos;
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
  }

  private void closeQuietly(Socket socket) {
    open.remove(socket);
    try {
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
    open.forEach(this::closeQuietly);
  }
}
