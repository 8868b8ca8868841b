package io.segmenttransfer.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.error.SourceAccessDeniedException;
import io.segmenttransfer.core.error.SourceChangedException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The status-to-error table, on the SDK's own exception types. */
class S3ErrorsTest {

  private static final URI SOURCE = URI.create("s3://b/k");

  private static S3Exception s3(int status, String code, String retryAfter) {
    SdkHttpResponse.Builder http = SdkHttpResponse.builder().statusCode(status);
    if (retryAfter != null) {
      http.putHeader("Retry-After", retryAfter);
    }
    return (S3Exception)
        S3Exception.builder()
            .statusCode(status)
            .message("a message the mapping must not read")
            .awsErrorDetails(
                AwsErrorDetails.builder().errorCode(code).sdkHttpResponse(http.build()).build())
            .build();
  }

  @ParameterizedTest
  @CsvSource({
    "404, NoSuchKey, SourceNotFoundException",
    "404, NoSuchBucket, SourceNotFoundException",
    "401, Unauthorized, SourceAccessDeniedException",
    "403, AccessDenied, SourceAccessDeniedException",
    "400, InvalidArgument, SourceAccessDeniedException",
    "412, PreconditionFailed, SourceChangedException",
    "416, InvalidRange, SourceChangedException",
    "500, InternalError, SourceUnavailableException",
    "503, SlowDown, SourceUnavailableException",
    "429, TooManyRequests, SourceUnavailableException"
  })
  void mapsByStatus(int status, String code, String expected) {
    Throwable mapped = S3Errors.map(SOURCE, new CompletionException(s3(status, code, null)));
    assertThat(mapped.getClass().getSimpleName()).isEqualTo(expected);
  }

  @Test
  void keepsRetryAfter() {
    Throwable mapped = S3Errors.map(SOURCE, s3(503, "SlowDown", "7"));
    assertThat(((SourceUnavailableException) mapped).retryAfter()).contains(Duration.ofSeconds(7));
    assertThat(S3Errors.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).contains(Duration.ZERO);
    assertThat(S3Errors.parseRetryAfter("soon")).isEmpty();
  }

  @Test
  void transportFailuresAreRetryable() {
    assertThat(S3Errors.map(SOURCE, SdkClientException.create("connect")))
        .isInstanceOf(SourceUnavailableException.class);
    assertThat(S3Errors.map(SOURCE, new IOException("Connection reset by peer")))
        .isInstanceOf(SourceUnavailableException.class);
    assertThat(S3Errors.map(SOURCE, io.netty.handler.timeout.ReadTimeoutException.INSTANCE))
        .isInstanceOf(SourceUnavailableException.class);
  }

  @Test
  void otherErrorsPassThrough() {
    IllegalStateException fromContent = new IllegalStateException("source broke");
    assertThat(S3Errors.map(SOURCE, fromContent)).isSameAs(fromContent);
    SourceNotFoundException already = new SourceNotFoundException(SOURCE, "gone");
    assertThat(S3Errors.map(SOURCE, already)).isSameAs(already);
    assertThat(S3Errors.isRangeNotSatisfiable(S3Errors.map(SOURCE, s3(416, "InvalidRange", null))))
        .isTrue();
    assertThat(
            S3Errors.isRangeNotSatisfiable(
                S3Errors.map(SOURCE, s3(412, "PreconditionFailed", null))))
        .isFalse();
    assertThat(S3Errors.map(SOURCE, s3(403, "AccessDenied", null)))
        .isInstanceOf(SourceAccessDeniedException.class);
    assertThat(S3Errors.map(SOURCE, s3(412, "PreconditionFailed", null)))
        .isInstanceOf(SourceChangedException.class);
  }
}
