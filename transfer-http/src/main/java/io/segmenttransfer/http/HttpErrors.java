package io.segmenttransfer.http;

import io.netty.channel.ChannelException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.timeout.TimeoutException;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SegmentTransferException;
import io.segmenttransfer.core.error.SourceAccessDeniedException;
import io.segmenttransfer.core.error.SourceChangedException;
import io.segmenttransfer.core.error.SourceException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufMono;
import reactor.netty.channel.AbortedException;
import reactor.netty.http.client.HttpClientResponse;

/**
 * The one place where HTTP answers and client failures become the project's errors, so every HTTP
 * client (downloads and HEADs of the HTTP store, the peer finder, the controller client) classifies
 * them the same way. The opposite direction, an error to a status, is {@link ErrorStatus}.
 *
 * <table>
 *   <caption>status to error</caption>
 *   <tr><td>2xx</td><td>none</td></tr>
 *   <tr><td>404, 410</td><td>{@link SourceNotFoundException}</td></tr>
 *   <tr><td>401, 403</td><td>{@link SourceAccessDeniedException}</td></tr>
 *   <tr><td>412, 416</td><td>{@link SourceChangedException}</td></tr>
 *   <tr><td>408, 429, 5xx</td><td>{@link SourceUnavailableException} (retryable), with the
 *       {@code Retry-After} delay in seconds or as an HTTP date</td></tr>
 *   <tr><td>400, other 4xx, 1xx and 3xx (redirects are not followed)</td>
 *       <td>{@link InvalidRequestException} (not retryable)</td></tr>
 * </table>
 *
 * <p>A {@link io.segmenttransfer.core.store.SegmentStore} must fail with {@link SourceException}s,
 * so stores take {@link #forStatus(URI, int, HttpHeaders)}, the same mapping in which a refused
 * request is a {@link SourceNotFoundException} caused by the {@link InvalidRequestException}: this
 * source cannot serve the object as asked, without retries, and the downloader goes on to the next
 * source.
 */
public final class HttpErrors {

  private HttpErrors() {}

  /**
   * The error a store or the peer finder reports for a non-success status, or null for 2xx: the
   * mapping of {@link #forStatus(URI, int, HttpHeaders, String)}, with a refused request as a
   * {@link SourceNotFoundException} (see the class comment).
   */
  public static @Nullable SourceException forStatus(URI uri, int status, HttpHeaders headers) {
    SegmentTransferException error = forStatus(uri, status, headers, null);
    if (error == null || error instanceof SourceException) {
      return (SourceException) error;
    }
    return new SourceNotFoundException(
        uri, "HTTP " + status + ": the source refused the request", error);
  }

  /**
   * The error for a non-success status, or null for 2xx.
   *
   * @param detail what the server said about it (Pinot's {@code "error"} text, see {@link
   *     ErrorBody#explain(String)}); null when the body was not read
   */
  public static @Nullable SegmentTransferException forStatus(
      URI uri, int status, @Nullable HttpHeaders headers, @Nullable String detail) {
    if (status >= 200 && status < 300) {
      return null;
    }
    String what = "HTTP " + status + ": ";
    return switch (status) {
      case 404, 410 -> new SourceNotFoundException(uri, what + or(detail, "no such object"));
      case 401, 403 ->
          new SourceAccessDeniedException(uri, what + or(detail, "access denied"), null);
      case 412 ->
          new SourceChangedException(
              uri, what + or(detail, "the object no longer has the requested version"));
      // The byte offset does not fit the object as it is now: the same situation as a changed
      // object.
      case 416 ->
          new SourceChangedException(
              uri, what + or(detail, "the requested byte offset is beyond the object"));
      case 408, 429 ->
          new SourceUnavailableException(
              uri,
              what + or(detail, "try again later"),
              null,
              retryAfter(headers, Clock.systemUTC()));
      default -> {
        if (status >= 500) {
          yield new SourceUnavailableException(
              uri, what + or(detail, "server error"), null, retryAfter(headers, Clock.systemUTC()));
        }
        // 400 and the other 4xx (405, 409, 413, 422...), or a redirect we do not follow: the
        // server has judged this very request, so sending it again unchanged gets the same answer.
        // Not retryable; the caller must change the request (or, for a store, try another source).
        yield new InvalidRequestException(
            null, uri + ": " + what + or(detail, "the request was refused"));
      }
    };
  }

  private static String or(String detail, String otherwise) {
    return detail == null || detail.isBlank() ? otherwise : detail;
  }

  /**
   * The body of an answer as text when its status is 2xx (or one of {@code alsoOk}); otherwise an
   * error mapped by {@link #forStatus(URI, int, HttpHeaders, String)} with the server's own
   * explanation from Pinot's error body. The whole body is read either way, so the connection can
   * be reused; an empty body reads as {@code ""}.
   */
  public static Mono<String> answerText(
      URI uri, HttpClientResponse response, ByteBufMono content, Set<Integer> alsoOk) {
    return content
        .asString(StandardCharsets.UTF_8)
        .defaultIfEmpty("")
        .flatMap(
            text -> {
              int status = response.status().code();
              if (status / 100 == 2 || alsoOk.contains(status)) {
                return Mono.just(text);
              }
              return Mono.error(
                  forStatus(uri, status, response.responseHeaders(), ErrorBody.explain(text)));
            });
  }

  /** {@link #answerText(URI, HttpClientResponse, ByteBufMono, Set)} with only 2xx as success. */
  public static Mono<String> answerText(URI uri, HttpClientResponse response, ByteBufMono content) {
    return answerText(uri, response, content, Set.of());
  }

  /**
   * A failure of the exchange itself (connect, reset, premature close, read timeout). A refused
   * connection is a {@link SourceNotFoundException}: nothing listens at that address, so retrying
   * at once cannot help (a server that is still starting is waited for by the callers that expect
   * it, such as the daemon's start). Everything else is a retryable {@link
   * SourceUnavailableException}. Messages say what happened in words, without exception class
   * names; the exception itself stays the cause, for the debug log.
   */
  public static Throwable forFailure(URI uri, Throwable error) {
    if (error instanceof SegmentTransferException) {
      return error;
    }
    java.net.ConnectException refused = refusal(error);
    if (refused != null) {
      return new SourceNotFoundException(
          uri,
          "connection refused: nothing is listening on "
              + uri.getHost()
              + ":"
              + port(uri)
              + " (is it running, and is that the right port?)",
          error);
    }
    javax.net.ssl.@Nullable SSLException handshake = handshakeFailure(error);
    if (handshake != null) {
      // Not retryable: a certificate that is not trusted, names another host or is refused stays
      // so until someone changes the configuration.
      return new SourceAccessDeniedException(
          uri,
          "TLS handshake with " + uri.getHost() + ":" + port(uri) + " failed: " + tlsReason(error),
          error);
    }
    if (error instanceof IOException
        || error instanceof ChannelException
        || error instanceof TimeoutException
        || error instanceof AbortedException
        || error.getCause() instanceof IOException) {
      return new SourceUnavailableException(uri, describe(uri, error), error);
    }
    return error;
  }

  /**
   * The TLS failure below {@code error}: a failed handshake, or an alert the peer sent (with TLS
   * 1.3 a refused client certificate arrives just after the client's side of the handshake, as an
   * alert). A use of an engine already closed is not one: the connection ended, which may pass.
   */
  private static javax.net.ssl.@Nullable SSLException handshakeFailure(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof javax.net.ssl.SSLException tls
          && !(t instanceof io.netty.handler.ssl.SslClosedEngineException)) {
        return tls;
      }
    }
    return null;
  }

  /** Why a handshake failed, in words: an untrusted certificate, or the TLS layer's own reason. */
  private static String tlsReason(Throwable error) {
    Throwable deepest = error;
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.security.cert.CertPathBuilderException
          || t instanceof java.security.cert.CertPathValidatorException) {
        return "the server's certificate is not trusted (give the CA that signed it with"
            + " --tls-trust)";
      }
      deepest = t;
    }
    String message = deepest.getMessage();
    return message == null || message.isBlank() ? "the peer refused the connection" : message;
  }

  /** The connect failure below {@code error}, unless it timed out (which may pass). */
  private static java.net.@Nullable ConnectException refusal(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof io.netty.channel.ConnectTimeoutException) {
        return null;
      }
      if (t instanceof java.net.ConnectException connect) {
        return connect;
      }
    }
    return null;
  }

  private static int port(URI uri) {
    return uri.getPort() >= 0
        ? uri.getPort()
        : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  private static String describe(URI uri, Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.net.UnknownHostException) {
        return "cannot resolve the host name (check the URL's host)";
      }
      if (t instanceof io.netty.channel.ConnectTimeoutException) {
        return "connection timed out";
      }
      if (t instanceof TimeoutException || t instanceof java.util.concurrent.TimeoutException) {
        return "no answer in time";
      }
      if (t instanceof reactor.netty.http.client.PrematureCloseException) {
        // With TLS 1.3 a server refuses a client certificate it requires (or one it does not
        // trust) by an alert after the client's side of the handshake; when the close is seen
        // before the alert, nothing else tells the two apart (seen in about half of the tries).
        return "https".equalsIgnoreCase(uri.getScheme())
            ? "the connection closed before the answer was complete (over TLS, also how a server"
                + " refuses a missing or untrusted client certificate: check --tls-client-cert and"
                + " --tls-client-key)"
            : "the connection closed before the answer was complete";
      }
    }
    String message = error.getMessage();
    return message == null || message.isBlank() ? "connection failed" : message;
  }

  /**
   * The delay a {@code Retry-After} header asks for: delta-seconds or an HTTP date; null when
   * absent or unreadable (an unreadable hint is no reason to fail the attempt differently).
   */
  public static @Nullable Duration retryAfter(@Nullable HttpHeaders headers, Clock clock) {
    String value = headers == null ? null : headers.get(HttpHeaderNames.RETRY_AFTER);
    if (value == null || value.isBlank()) {
      return null;
    }
    String trimmed = value.trim();
    try {
      long seconds = Long.parseLong(trimmed);
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration wait = Duration.between(clock.instant(), at.toInstant());
        return wait.isNegative() ? Duration.ZERO : wait;
      } catch (DateTimeParseException notDate) {
        return null;
      }
    }
  }

  /** An entity tag without weak marker and quotes: {@code W/"abc"} -> {@code abc}. */
  public static @Nullable String stripETag(@Nullable String etag) {
    if (etag == null) {
      return null;
    }
    String tag = etag.trim();
    if (tag.startsWith("W/") || tag.startsWith("w/")) {
      tag = tag.substring(2);
    }
    if (tag.length() >= 2 && tag.startsWith("\"") && tag.endsWith("\"")) {
      tag = tag.substring(1, tag.length() - 1);
    }
    return tag;
  }
}
