package io.segmenttransfer.http;

import io.segmenttransfer.core.error.InvalidRequestException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The one reading of an HTTP service's address given by a person (a controller, a server): every
 * command and setting refuses the same mistakes with the same words, and says what was probably
 * meant ({@code 127.0.0.1:9000} without {@code http://} is the common one).
 */
public final class HttpUrls {

  private HttpUrls() {}

  /**
   * {@code value} as an {@code http(s)://host[:port]} URI.
   *
   * @param what how the person gave it, for the message: {@code --controller}, {@code setting
   *     controller}
   * @throws InvalidRequestException when it is not such a URL
   */
  public static URI parse(String what, String value) {
    String text = value == null ? "" : value.strip();
    URI uri = null;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      // Told below, with the likely fix.
    }
    String scheme =
        uri == null || uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri != null && (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
      return uri;
    }
    boolean schemeMissing = !text.contains("://");
    throw new InvalidRequestException(
        null,
        what
            + " must be an http://host:port URL, was '"
            + text
            + "'"
            + (schemeMissing && !text.isEmpty() ? ": did you mean http://" + text + "?" : ""));
  }
}
