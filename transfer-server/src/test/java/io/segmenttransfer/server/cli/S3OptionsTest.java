package io.segmenttransfer.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.s3.S3Config;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A one-shot command signs with the environment's keys directly when they are what the SDK's
 * default chain would pick, and leaves every other case to the chain.
 */
class S3OptionsTest {

  @Test
  void theEnvironmentsKeysBecomeExplicitCredentials() {
    S3Config config =
        new S3Options()
            .toOneShotConfig(
                Map.of("AWS_ACCESS_KEY_ID", " AKID ", "AWS_SECRET_ACCESS_KEY", "secret\n"));

    assertThat(config.credentials()).isEqualTo(new S3Config.Credentials("AKID", "secret"));
  }

  @Test
  void aSessionTokenOrAMissingKeyLeavesItToTheChain() {
    S3Options options = new S3Options();

    assertThat(
            options
                .toOneShotConfig(
                    Map.of(
                        "AWS_ACCESS_KEY_ID", "AKID",
                        "AWS_SECRET_ACCESS_KEY", "secret",
                        "AWS_SESSION_TOKEN", "token"))
                .credentials())
        .isNull();
    assertThat(options.toOneShotConfig(Map.of("AWS_ACCESS_KEY_ID", "AKID")).credentials()).isNull();
    assertThat(options.toOneShotConfig(Map.of()).credentials()).isNull();
    assertThat(options.toOneShotConfig(Map.of()).endpoint())
        .isEqualTo(options.toConfig().endpoint());
  }
}
