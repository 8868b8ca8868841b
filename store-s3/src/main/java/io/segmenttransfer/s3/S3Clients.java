package io.segmenttransfer.s3;

import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.DelegatingS3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;

/** Builds the {@code S3AsyncClient} an {@link S3Config} describes. */
final class S3Clients {

  private S3Clients() {}

  /** Seconds a closed client's event loops get to finish what was already queued on them. */
  private static final long EVENT_LOOP_SHUTDOWN_TIMEOUT_SECONDS = 5;

  /**
   * A client that owns its Netty event loops: closing it closes the SDK client, then shuts the
   * event loops down without a quiet period and without waiting. (With event loops of its own the
   * SDK waits out a 2-second quiet period in {@code close()}, which every command-line transfer
   * from S3 paid before exiting.)
   */
  static S3AsyncClient build(S3Config config) {
    SdkEventLoopGroup eventLoops = SdkEventLoopGroup.builder().build();
    S3AsyncClient client;
    try {
      client = build(config, eventLoops);
    } catch (RuntimeException | Error e) {
      eventLoops
          .eventLoopGroup()
          .shutdownGracefully(0, EVENT_LOOP_SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      throw e;
    }
    return new DelegatingS3AsyncClient(client) {
      @Override
      public void close() {
        try {
          super.close();
        } finally {
          eventLoops
              .eventLoopGroup()
              .shutdownGracefully(0, EVENT_LOOP_SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
      }
    };
  }

  private static S3AsyncClient build(S3Config config, SdkEventLoopGroup eventLoops) {
    S3AsyncClientBuilder builder =
        S3AsyncClient.builder()
            .httpClientBuilder(
                NettyNioAsyncHttpClient.builder()
                    .eventLoopGroup(eventLoops)
                    .connectionTimeout(config.connectTimeout())
                    .readTimeout(config.readTimeout())
                    .writeTimeout(config.readTimeout())
                    .maxConcurrency(config.maxConnections()))
            .region(Region.of(config.region()))
            .forcePathStyle(config.pathStyle())
            .credentialsProvider(credentials(config))
            // Checksums only where the API requires them: S3-compatible servers often reject or
            // mishandle the flexible-checksum trailers the SDK sends by default since 2.30.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            // The store retries itself: per part, from the byte it stopped at, with one backoff
            // policy for every call. SDK retries on top would multiply the attempts.
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
    if (config.endpoint() != null) {
      builder.endpointOverride(config.endpoint());
    }
    return builder.build();
  }

  static AwsCredentialsProvider credentials(S3Config config) {
    if (config.credentials() == null) {
      return MissingCredentials.reporting(DefaultCredentialsProvider.builder().build());
    }
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create(
            config.credentials().accessKeyId(), config.credentials().secretAccessKey()));
  }
}
