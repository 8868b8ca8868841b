package io.segmenttransfer.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.segmenttransfer.core.error.InvalidRequestException;
import java.util.List;
import java.util.Map;
import reactor.netty.http.server.HttpServerRequest;

/**
 * The query parameters of a request, decoded. Every surface reads its query here: Netty's {@code
 * QueryStringDecoder} throws {@code IllegalArgumentException} on a malformed escape ({@code %A},
 * {@code %zz}), which a route would otherwise answer with 500; here it is a bad request (400)
 * naming the query.
 */
public final class QueryParameters {

  private QueryParameters() {}

  /** Every parameter, by name, in order. */
  public static Map<String, List<String>> of(HttpServerRequest request) {
    try {
      return new QueryStringDecoder(request.uri()).parameters();
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(
          null, "query string is malformed: " + e.getMessage().replaceAll(" of: .*", ""), e);
    }
  }

  /** The first value of {@code name}, or null when absent. */
  public static String first(HttpServerRequest request, String name) {
    List<String> values = of(request).get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
