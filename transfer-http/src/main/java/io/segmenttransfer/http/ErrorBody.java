package io.segmenttransfer.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * Pinot's error answer {@code {"code": <status>, "error": "<message>"}}: what the HTTP surfaces
 * send with every error status, and what the controller client reads back from one.
 */
public record ErrorBody(int code, String error) {

  /** Longest piece of a body that is not Pinot's error JSON quoted in an error message. */
  static final int MAX_QUOTED = 300;

  /** The body for {@code failure}: its status from {@link ErrorStatus} and its message. */
  public static ErrorBody of(Throwable failure) {
    return new ErrorBody(ErrorStatus.of(failure).code(), String.valueOf(failure.getMessage()));
  }

  /**
   * What an error answer says: the {@code "error"} text of Pinot's error JSON, otherwise the start
   * of the body (a proxy's HTML, plain text); null for an empty body.
   */
  public static String explain(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      JsonNode node = JsonReply.MAPPER.readTree(body);
      if (node != null && node.hasNonNull("error")) {
        return node.get("error").asText();
      }
    } catch (IOException notJson) {
      // Not JSON: the text itself is the best explanation there is.
    }
    String text = body.strip();
    return text.length() > MAX_QUOTED ? text.substring(0, MAX_QUOTED) + "..." : text;
  }
}
