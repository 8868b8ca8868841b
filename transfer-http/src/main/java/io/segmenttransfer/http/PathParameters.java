package io.segmenttransfer.http;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.SafeName;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import reactor.netty.http.server.HttpServerRequest;

/**
 * Path parameters of a route, decoded. reactor-netty matches a route against the raw path and hands
 * out its parameters still percent-encoded ({@code a%20b}), so every route reads them here.
 *
 * <p>Every path parameter of every route names something that may become a path component (a table,
 * segment, schema, instance or run), so each decoded value is checked by the one rule, {@link
 * SafeName}, before a route sees it: {@code %2F}, {@code %2e%2e}, {@code %00} and their
 * double-encoded forms are refused with 400 whatever the route does next.
 *
 * <p>Only percent escapes are decoded: in a path, unlike a query, {@code +} is a plus sign (Pinot
 * segment names may hold one), so {@code QueryStringDecoder.decodeComponent}, which turns it into a
 * space, is not used.
 */
public final class PathParameters {

  private PathParameters() {}

  /**
   * The decoded value of the path parameter {@code name}, checked by {@link SafeName}.
   *
   * @throws InvalidRequestException when the route has no such parameter, or its value holds a
   *     malformed escape, escapes that are not UTF-8, or is not a safe name once decoded
   */
  public static String decoded(HttpServerRequest request, String name) {
    String raw = request.param(name);
    if (raw == null) {
      throw new InvalidRequestException(null, "missing path parameter " + name);
    }
    return SafeName.check("path parameter " + name, decode(name, raw));
  }

  /**
   * A query parameter that names a table, segment or instance, checked by {@link SafeName}; null
   * when absent. Query values are decoded by {@code QueryStringDecoder} ({@code +} as a space).
   */
  public static String queryName(HttpServerRequest request, String name) {
    String value = QueryParameters.first(request, name);
    return value == null ? null : SafeName.check("query parameter " + name, value);
  }

  /** {@code raw} with its {@code %XX} escapes decoded as UTF-8; {@code +} stays a plus sign. */
  static String decode(String name, String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    int i = 0;
    while (i < raw.length()) {
      char c = raw.charAt(i);
      if (c != '%') {
        int end = raw.indexOf('%', i);
        byte[] plain =
            raw.substring(i, end < 0 ? raw.length() : end).getBytes(StandardCharsets.UTF_8);
        bytes.write(plain, 0, plain.length);
        i = end < 0 ? raw.length() : end;
        continue;
      }
      int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
      int low = high < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
      if (low < 0) {
        throw new InvalidRequestException(
            null,
            "path parameter " + name + " has a malformed escape at " + (i + 1) + ": '" + raw + "'");
      }
      bytes.write(high << 4 | low);
      i += 3;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidRequestException(
          null, "path parameter " + name + " is not UTF-8 once decoded: '" + raw + "'", e);
    }
  }
}
