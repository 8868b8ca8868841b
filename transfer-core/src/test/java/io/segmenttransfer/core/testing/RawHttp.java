package io.segmenttransfer.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a plain socket, for tests that must send what no HTTP client would: unencoded or
 * malformed request lines, oversized headers, truncated bodies, a request trickled byte by byte.
 * Every read has a deadline, so a server that hangs fails the test instead of stalling it.
 *
 * <p>Blocking; use it from the test thread, never on an event loop.
 */
public final class RawHttp implements AutoCloseable {

  /** A response as read, or {@link #NONE} when the server closed before a status line. */
  public record Response(int status, Map<String, String> headers, byte[] body) {

    /** The server closed (or reset) the connection without a status line. */
    public static final Response NONE = new Response(-1, Map.of(), new byte[0]);

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** A header by lower-case name, or null. */
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** Connects to {@code 127.0.0.1:port}; every later read waits at most {@code timeout}. */
  public static RawHttp connect(int port, Duration timeout) {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      return new RawHttp(socket);
    } catch (IOException e) {
      closeQuietly(socket);
      throw new UncheckedIOException("cannot connect to 127.0.0.1:" + port, e);
    }
  }

  /** Sends {@code request} on a fresh connection and reads one response. */
  public static Response exchange(int port, byte[] request, Duration timeout) {
    try (RawHttp http = connect(port, timeout)) {
      http.send(request);
      return http.readResponse();
    }
  }

  /** Sends the bytes; a connection the server already closed is not an error here. */
  public RawHttp send(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      // The server may answer and close before reading everything (413, 431): the test reads on.
    }
    return this;
  }

  /** Half-closes: the server sees the end of the request stream, as from a client that died. */
  public RawHttp shutdownOutput() {
    try {
      socket.shutdownOutput();
    } catch (IOException e) {
      // already closed by the server
    }
    return this;
  }

  public RawHttp send(String text) {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  /**
   * Reads one response: status line, headers and a body framed by Content-Length, chunked encoding,
   * or the end of the connection. {@link Response#NONE} when the connection ends first.
   *
   * @throws AssertionError when nothing complete arrives within the timeout
   */
  public Response readResponse() {
    try {
      String statusLine = line();
      if (statusLine == null) {
        return Response.NONE;
      }
      String[] parts = statusLine.split(" ", 3);
      int status = Integer.parseInt(parts[1]);
      Map<String, String> headers = new TreeMap<>();
      for (String header = line(); header != null && !header.isEmpty(); header = line()) {
        int colon = header.indexOf(':');
        headers.put(
            header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            header.substring(colon + 1).trim());
      }
      byte[] body;
      if (headers.containsKey("content-length")) {
        body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
      } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
        body = chunked();
      } else if (status == 204 || status == 304 || status / 100 == 1) {
        body = new byte[0];
      } else {
        body = in.readAllBytes();
      }
      return new Response(status, headers, body);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no complete response within the timeout", e);
    } catch (SocketException e) {
      return Response.NONE; // reset by the server
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether the server closes the connection within the read timeout: reads (and drops) what it
   * sends until the end of the stream. False when the timeout passes first.
   */
  public boolean closedByServer() {
    try {
      byte[] buffer = new byte[8192];
      while (in.read(buffer) >= 0) {
        // drain
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  @Override
  public void close() {
    closeQuietly(socket);
  }

  private byte[] chunked() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String size = line();
      if (size == null) {
        return body.toByteArray();
      }
      int semicolon = size.indexOf(';');
      int length =
          Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
      if (length == 0) {
        for (String trailer = line(); trailer != null && !trailer.isEmpty(); trailer = line()) {
          // trailers dropped
        }
        return body.toByteArray();
      }
      body.write(in.readNBytes(length));
      line();
    }
  }

  /** A CRLF-terminated line without its CRLF, or null at the end of the stream. */
  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\r') {
          length--;
        }
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing to do
    }
  }
}
