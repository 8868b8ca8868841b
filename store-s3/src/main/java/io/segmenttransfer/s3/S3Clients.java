package io.segmenttransfer.s3;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;

/** Builds the {@code S3AsyncClient} an {@link S3Config} describes. */
final class S3Clients {

  private S3Clients() {}

  static S3AsyncClient build(S3Config config) {
    S3AsyncClientBuilder builder = S3AsyncClient.builder()
        .httpClientBuilder(NettyNioAsyncHttpClient.builder()
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

  private static AwsCredentialsProvider credentials(S3Config config) {
    if (config.credentials() == null) {
      return DefaultCredentialsProvider.builder().build();
    }
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create(config.credentials().accessKeyId(), config.credentials().secretAccessKey()));
  }
}
