package io.segmenttransfer.server.quickstart;

import io.segmenttransfer.http.tls.ClientSecurity;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * What {@code quickstart --secure} shows of its controller's doors before the story goes on: a
 * request without credentials is refused with 401 (over a TLS connection that verified the
 * controller's certificate), and plain HTTP to the HTTPS port gets no HTTP answer at all. Either
 * going otherwise fails the quickstart.
 */
public final class QuickstartAccessCheck {

  private QuickstartAccessCheck() {}

  /**
   * Makes both requests to {@code GET /tables} (blocking) and returns the lines to print.
   *
   * @throws IllegalStateException when the controller answers anonymous callers or plain HTTP
   */
  public static String run(String controllerUrl, QuickstartSecurity security, Duration timeout) {
    URI https = URI.create(controllerUrl + "/tables");
    ClientSecurity anonymous =
        ClientSecurity.none().withTrust(Objects.requireNonNull(security.caCertificate()));
    int status =
        anonymous
            .configure(HttpClient.newConnection())
            .get()
            .uri(https)
            .responseSingle((response, body) -> body.then(Mono.just(response.status().code())))
            .block(timeout);
    if (status != 401) {
      throw new IllegalStateException(
          "the secured controller answered " + status + " to a request without credentials");
    }
    String plainAnswer = plainHttpAnswer(https, timeout);
    if (plainAnswer.startsWith("HTTP/")) {
      throw new IllegalStateException(
          "the secured controller answered plain HTTP ("
              + plainAnswer.lines().findFirst().orElse("")
              + ") on its TLS port");
    }
    return "    without credentials: GET "
        + https
        + " answered 401\n"
        + "    plain HTTP to that port: no HTTP answer, the connection was closed";
  }

  /**
   * What a plain-HTTP request to the port gets back, up to 64 bytes ("" when the connection is
   * closed or reset without an answer). A plain socket, not an HTTP client: this is the client the
   * check is about, and an HTTP client would log the closed connection as an error.
   */
  private static String plainHttpAnswer(URI uri, Duration timeout) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      socket
          .getOutputStream()
          .write(
              ("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      byte[] answer = socket.getInputStream().readNBytes(64);
      return new String(answer, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return ""; // reset: no answer either
    }
  }
}
