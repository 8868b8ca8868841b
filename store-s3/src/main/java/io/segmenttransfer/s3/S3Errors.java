package io.segmenttransfer.s3;

import io.segmenttransfer.core.error.SegmentTransferException;
import io.segmenttransfer.core.error.SourceAccessDeniedException;
import io.segmenttransfer.core.error.SourceChangedException;
import io.segmenttransfer.core.error.SourceException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * The one place SDK and transport failures become the core's source errors, by HTTP status and
 * exception type (never by message text). Anything else, such as an error from the content a caller
 * asked us to write, passes through unchanged.
 */
final class S3Errors {

  /**
   * 416: the requested range starts past the object's end. The reader turns it into "empty" or
   * "changed".
   */
  static final int RANGE_NOT_SATISFIABLE = 416;

  private S3Errors() {}

  static Throwable map(URI uri, Throwable error) {
    Throwable e = unwrap(error);
    if (e instanceof SegmentTransferException) {
      return e;
    }
    if (e instanceof SdkServiceException service) {
      return fromStatus(uri, service);
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof MissingCredentials) {
        // Not retried: no attempt can find credentials that are not configured.
        return new SourceAccessDeniedException(
            uri,
            "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or"
                + " AWS_PROFILE, or run where an instance role applies",
            e);
      }
    }
    if (e instanceof SdkClientException
        || e instanceof IOException
        || e instanceof TimeoutException
        || isNettyChannelFailure(e)) {
      // Connection refused or reset, read timeouts, truncated bodies, API call timeouts: transient.
      return new SourceUnavailableException(uri, "S3 request failed: " + describe(e), e);
    }
    return e;
  }

  /** Whether a mapped error is S3's answer to a range that starts past the object's end. */
  static boolean isRangeNotSatisfiable(Throwable mapped) {
    if (!(mapped instanceof SourceChangedException)) {
      return false;
    }
    for (Throwable suppressed : mapped.getSuppressed()) {
      if (suppressed instanceof SdkServiceException service
          && service.statusCode() == RANGE_NOT_SATISFIABLE) {
        return true;
      }
    }
    return false;
  }

  private static SourceException fromStatus(URI uri, SdkServiceException e) {
    int status = e.statusCode();
    String what = "S3 answered " + status + code(e).map(c -> " " + c).orElse("");
    if (status == 404) {
      return new SourceNotFoundException(uri, what, e);
    }
    if (status == 401 || status == 403) {
      return new SourceAccessDeniedException(uri, what, e);
    }
    // SourceChangedException takes no cause: the S3 error goes along as a suppressed exception.
    if (status == 412) {
      SourceChangedException changed =
          new SourceChangedException(uri, what + ": the object changed (ETag no longer matches)");
      changed.addSuppressed(e);
      return changed;
    }
    if (status == RANGE_NOT_SATISFIABLE) {
      SourceChangedException changed =
          new SourceChangedException(uri, what + ": the range starts past the object's end");
      changed.addSuppressed(e);
      return changed;
    }
    if (status >= 500 || status == 429 || e.isThrottlingException()) {
      return new SourceUnavailableException(uri, what, e, retryAfter(e).orElse(null));
    }
    // Any other 4xx (a malformed request, a wrong region): the same request to the same server
    // cannot succeed, which is what the access-denied failure stands for.
    return new SourceAccessDeniedException(uri, what + " (request rejected)", e);
  }

  private static Optional<String> code(SdkServiceException e) {
    if (e instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
      return Optional.ofNullable(aws.awsErrorDetails().errorCode());
    }
    return Optional.empty();
  }

  /** Retry-After as delta-seconds or an HTTP date. */
  static Optional<Duration> retryAfter(SdkServiceException e) {
    if (!(e instanceof AwsServiceException aws)
        || aws.awsErrorDetails() == null
        || aws.awsErrorDetails().sdkHttpResponse() == null) {
      return Optional.empty();
    }
    return aws.awsErrorDetails()
        .sdkHttpResponse()
        .firstMatchingHeader("Retry-After")
        .flatMap(S3Errors::parseRetryAfter);
  }

  static Optional<Duration> parseRetryAfter(String value) {
    String v = value.trim();
    try {
      long seconds = Long.parseLong(v);
      return seconds >= 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
    } catch (NumberFormatException notSeconds) {
      try {
        Duration until =
            Duration.between(
                ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
        return Optional.of(until.isNegative() ? Duration.ZERO : until);
      } catch (DateTimeParseException notADate) {
        return Optional.empty();
      }
    }
  }

  private static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private static boolean isNettyChannelFailure(Throwable e) {
    // Netty's ReadTimeoutException and friends are ChannelExceptions, not IOExceptions.
    return e instanceof io.netty.channel.ChannelException;
  }

  private static String describe(Throwable e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
