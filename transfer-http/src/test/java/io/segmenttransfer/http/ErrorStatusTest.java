package io.segmenttransfer.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.error.ArchiveLimitExceededException;
import io.segmenttransfer.core.error.CrcMismatchException;
import io.segmenttransfer.core.error.EntityNotFoundException;
import io.segmenttransfer.core.error.InvalidArchiveException;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.ShuttingDownException;
import io.segmenttransfer.core.error.SourceAccessDeniedException;
import io.segmenttransfer.core.error.SourceChangedException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import io.segmenttransfer.core.error.StateConflictException;
import java.net.URI;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ErrorStatusTest {

  private static final URI STORE = URI.create("file:///deep/t_OFFLINE/s.tar.gz");

  @Test
  void eachErrorHasItsStatus() {
    assertThat(status(new InvalidRequestException(null, "bad name"))).isEqualTo(400);
    assertThat(status(new InvalidArchiveException("s", "truncated"))).isEqualTo(400);
    assertThat(status(new ArchiveLimitExceededException("s", "too big"))).isEqualTo(413);
    assertThat(status(new SourceNotFoundException(STORE, "gone"))).isEqualTo(404);
    assertThat(status(new EntityNotFoundException(null, "Table t does not exist"))).isEqualTo(404);
    assertThat(status(new StateConflictException(null, "Table t already exists"))).isEqualTo(409);
    assertThat(status(new SourceChangedException(STORE, "other ETag"))).isEqualTo(412);
    assertThat(status(new TimeoutException("upload"))).isEqualTo(504);
    assertThat(status(new SourceUnavailableException(STORE, "reset", null))).isEqualTo(503);
    assertThat(status(new ShuttingDownException("controller is shutting down"))).isEqualTo(503);
    assertThat(status(new SourceAccessDeniedException(STORE, "denied", null))).isEqualTo(500);
    assertThat(status(new CrcMismatchException("s", "archive", 1, 2))).isEqualTo(500);
    assertThat(status(new IllegalStateException("bug"))).isEqualTo(500);
  }

  @Test
  void theErrorBodyIsPinots() {
    JsonReply reply = JsonReply.error(new EntityNotFoundException(null, "Table t does not exist"));
    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.body()).isEqualTo(new ErrorBody(404, "Table t does not exist"));
    assertThat(JsonReply.MAPPER.valueToTree(reply.body()).toString())
        .isEqualTo("{\"code\":404,\"error\":\"Table t does not exist\"}");
  }

  private static int status(Throwable error) {
    return ErrorStatus.of(error).code();
  }
}
