package io.segmenttransfer.server.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One generated request, as bytes on the wire. {@code truncated}: the body is shorter than its
 * declared length and the client half-closes after sending it, as a client that died mid-upload.
 */
record FuzzRequest(
    String method, String target, List<String> headers, byte[] body, boolean truncated) {

  byte[] bytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringBuilder head =
        new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    for (String header : headers) {
      head.append(header).append("\r\n");
    }
    head.append("\r\n");
    out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
    out.writeBytes(body);
    return out.toByteArray();
  }

  @Override
  public String toString() {
    String line = method + " " + target;
    return (line.length() > 300 ? line.substring(0, 300) + "..." : line)
        + " "
        + headers.stream().map(h -> h.length() > 80 ? h.substring(0, 80) + "..." : h).toList()
        + " body "
        + body.length
        + " bytes"
        + (truncated ? " (truncated)" : "");
  }
}
