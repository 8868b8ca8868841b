package io.segmenttransfer.controller.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.segmenttransfer.core.error.InvalidRequestException;
import org.junit.jupiter.api.Test;

/** The completion protocol's messages in Pinot's exact shapes, both ways. */
class CompletionMessagesTest {

  @Test
  void numbersAreSentOnlyWhenPositiveAndNamesAreEncoded() {
    CompletionRequest request =
        CompletionRequest.of("events__0__3__20261206T1200Z", "Server_10.0.0.1_8098", "1234")
            .withLocation("s3://bucket/deep store/events/events__0__3__20261206T1200Z.tar.gz")
            .withSizes(5_000_000, 0, 1500);

    String query = request.toQuery();

    assertThat(query)
        .isEqualTo(
            "name=events__0__3__20261206T1200Z&instance=Server_10.0.0.1_8098"
                + "&streamPartitionMsgOffset=1234"
                + "&location=s3%3A%2F%2Fbucket%2Fdeep+store%2Fevents%2Fevents__0__3__20261206T1200Z.tar.gz"
                + "&segmentSizeBytes=5000000&buildTimeMillis=1500");
    assertThat(
            CompletionRequest.fromQuery(
                new QueryStringDecoder("/segmentCommitEnd?" + query).parameters()))
        .isEqualTo(request);
  }

  @Test
  void theDeprecatedOffsetStandsInOnlyWhenSetAndMissingIdentityIsRefused() {
    CompletionRequest old =
        CompletionRequest.fromQuery(
            new QueryStringDecoder("/segmentConsumed?name=s&instance=i&offset=77&reason=rowLimit")
                .parameters());
    assertThat(old.streamPartitionMsgOffset()).isEqualTo("77");
    assertThat(old.reason()).isEqualTo("rowLimit");
    assertThat(
            CompletionRequest.fromQuery(
                    new QueryStringDecoder("/x?name=s&instance=i&offset=-1").parameters())
                .streamPartitionMsgOffset())
        .isNull();

    assertThatThrownBy(
            () -> CompletionRequest.fromQuery(new QueryStringDecoder("/x?name=s").parameters()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("instance");
    assertThatThrownBy(
            () ->
                CompletionRequest.fromQuery(
                    new QueryStringDecoder("/x?name=s&instance=i&rowCount=many").parameters()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("rowCount");
  }

  @Test
  void responsesUsePinotsFieldsAndOmitUnsetLocations() throws Exception {
    JsonNode json =
        CompletionResponse.of(CompletionStatus.COMMIT_CONTINUE, "1234")
            .withBuildTimeSec(120)
            .withSplitCommit(true)
            .toJson();

    assertThat(ControllerJson.MAPPER.writeValueAsString(json))
        .isEqualTo(
            "{\"status\":\"COMMIT_CONTINUE\",\"offset\":-1,\"streamPartitionMsgOffset\":\"1234\",\"buildTimeSec\":120,"
                + "\"isSplitCommitType\":true}");
    assertThat(CompletionResponse.fromJson(json))
        .isEqualTo(
            new CompletionResponse(
                CompletionStatus.COMMIT_CONTINUE, "1234", 120, true, null, null));
  }

  @Test
  void pinotsAnswersReadWithUnknownFieldsIgnored() throws Exception {
    JsonNode pinot =
        ControllerJson.MAPPER.readTree(
            "{\"offset\":-1,\"status\":\"HOLD\",\"isSplitCommitType\":false,"
                + "\"streamPartitionMsgOffset\":\"99\",\"buildTimeSec\":-1,\"somethingNew\":[1,2]}");

    CompletionResponse response = CompletionResponse.fromJson(pinot);

    assertThat(response.status()).isEqualTo(CompletionStatus.HOLD);
    assertThat(response.streamPartitionMsgOffset()).isEqualTo("99");
    assertThatThrownBy(
            () ->
                CompletionResponse.fromJson(
                    ControllerJson.MAPPER.readTree("{\"status\":\"MAYBE\"}")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("MAYBE");
  }
}
