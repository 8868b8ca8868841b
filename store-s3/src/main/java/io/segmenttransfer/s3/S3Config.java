package io.segmenttransfer.s3;

import io.segmenttransfer.core.transfer.RetryPolicy;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * How {@link S3SegmentStore} reaches S3 or an S3-compatible server.
 *
 * @param endpoint the service endpoint ({@code http(s)://host:port}); null means AWS's own endpoint
 *     for the region
 * @param region the signing region
 * @param pathStyle address buckets as {@code endpoint/bucket/key} instead of {@code
 *     bucket.endpoint/key}; most S3-compatible servers need it
 * @param credentials static keys; null means the SDK's default provider chain (environment, system
 *     properties, profile, container and instance roles)
 * @param readPartSize bytes per ranged GET; an object no larger than this is read with one GET
 * @param readConcurrency the most ranged GETs in flight for one read, which is also how many parts
 *     may be buffered ahead of the consumer; a read starts with two and opens more only while its
 *     consumer waits for bytes (a fast source keeps two busy enough)
 * @param uploadPartSize bytes per multipart-upload part; a body no larger than this goes in one
 *     PUT. Real S3 rejects parts under 5 MiB (except the last), S3-compatible servers may not.
 * @param uploadConcurrency parts uploaded in parallel for one write
 * @param connectTimeout TCP connect timeout
 * @param readTimeout how long a response may stay silent before the request fails (a stalled body
 *     is retried like a reset)
 * @param maxAttempts attempts per request or per part, the first included
 * @param retryBaseDelay backoff before the first retry, doubled on each further retry
 * @param retryMaxDelay cap of the backoff (a server's Retry-After is honoured above it)
 * @param maxConnections connections in the client's pool
 */
public record S3Config(
    @Nullable URI endpoint,
    String region,
    boolean pathStyle,
    @Nullable Credentials credentials,
    int readPartSize,
    int readConcurrency,
    int uploadPartSize,
    int uploadConcurrency,
    Duration connectTimeout,
    Duration readTimeout,
    int maxAttempts,
    Duration retryBaseDelay,
    Duration retryMaxDelay,
    int maxConnections) {

  public static final String DEFAULT_REGION = "us-east-1";

  /** AWS's guidance for parallel ranged GETs: 8-16 MiB parts, a few in parallel per object. */
  public static final int DEFAULT_READ_PART_SIZE = 8 * 1024 * 1024;

  public static final int DEFAULT_READ_CONCURRENCY = 4;
  public static final int DEFAULT_UPLOAD_PART_SIZE = 8 * 1024 * 1024;
  public static final int DEFAULT_UPLOAD_CONCURRENCY = 4;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_ATTEMPTS = RetryPolicy.DEFAULT_S3.attempts();
  public static final Duration DEFAULT_RETRY_BASE_DELAY = RetryPolicy.DEFAULT_S3.initialBackoff();
  public static final Duration DEFAULT_RETRY_MAX_DELAY = RetryPolicy.DEFAULT_S3.maxBackoff();
  public static final int DEFAULT_MAX_CONNECTIONS = 32;

  /** An access key pair; {@code toString} never shows the secret. */
  public record Credentials(String accessKeyId, String secretAccessKey) {
    public Credentials {
      if (accessKeyId == null
          || accessKeyId.isBlank()
          || secretAccessKey == null
          || secretAccessKey.isEmpty()) {
        throw new IllegalArgumentException(
            "both an access key id and a secret access key are required");
      }
    }

    @Override
    public String toString() {
      return "Credentials[accessKeyId=" + accessKeyId + ", secretAccessKey=****]";
    }
  }

  public S3Config {
    if (endpoint != null) {
      String scheme =
          endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || endpoint.getHost() == null) {
        throw new IllegalArgumentException(
            "endpoint must be an http(s)://host[:port] URL, was " + endpoint);
      }
    }
    if (region == null || region.isBlank()) {
      throw new IllegalArgumentException("region is required");
    }
    requirePositive("readPartSize", readPartSize);
    requirePositive("readConcurrency", readConcurrency);
    requirePositive("uploadPartSize", uploadPartSize);
    requirePositive("uploadConcurrency", uploadConcurrency);
    requirePositive("maxAttempts", maxAttempts);
    requirePositive("connectTimeout", connectTimeout);
    requirePositive("readTimeout", readTimeout);
    requirePositive("retryBaseDelay", retryBaseDelay);
    requirePositive("retryMaxDelay", retryMaxDelay);
    if (retryMaxDelay.compareTo(retryBaseDelay) < 0) {
      throw new IllegalArgumentException(
          "retryMaxDelay " + retryMaxDelay + " is below retryBaseDelay " + retryBaseDelay);
    }
    // One read keeps readConcurrency connections busy and one write uploadConcurrency: a smaller
    // pool would make parts queue for connections and time out while the data waits.
    int needed = Math.max(readConcurrency, uploadConcurrency);
    if (maxConnections < needed) {
      throw new IllegalArgumentException(
          "maxConnections " + maxConnections + " is below the read/upload concurrency " + needed);
    }
  }

  /** AWS in {@value #DEFAULT_REGION}, virtual-hosted buckets, the default credential chain. */
  public static S3Config defaults() {
    return new S3Config(
        null,
        DEFAULT_REGION,
        false,
        null,
        DEFAULT_READ_PART_SIZE,
        DEFAULT_READ_CONCURRENCY,
        DEFAULT_UPLOAD_PART_SIZE,
        DEFAULT_UPLOAD_CONCURRENCY,
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_READ_TIMEOUT,
        DEFAULT_MAX_ATTEMPTS,
        DEFAULT_RETRY_BASE_DELAY,
        DEFAULT_RETRY_MAX_DELAY,
        DEFAULT_MAX_CONNECTIONS);
  }

  public S3Config withEndpoint(@Nullable URI endpoint) {
    return new S3Config(
        endpoint,
        region,
        pathStyle,
        credentials,
        readPartSize,
        readConcurrency,
        uploadPartSize,
        uploadConcurrency,
        connectTimeout,
        readTimeout,
        maxAttempts,
        retryBaseDelay,
        retryMaxDelay,
        maxConnections);
  }

  public S3Config withRegion(String region) {
    return new S3Config(
        endpoint,
        region,
        pathStyle,
        credentials,
        readPartSize,
        readConcurrency,
        uploadPartSize,
        uploadConcurrency,
        connectTimeout,
        readTimeout,
        maxAttempts,
        retryBaseDelay,
        retryMaxDelay,
        maxConnections);
  }

  public S3Config withPathStyle(boolean pathStyle) {
    return new S3Config(
        endpoint,
        region,
        pathStyle,
        credentials,
        readPartSize,
        readConcurrency,
        uploadPartSize,
        uploadConcurrency,
        connectTimeout,
        readTimeout,
        maxAttempts,
        retryBaseDelay,
        retryMaxDelay,
        maxConnections);
  }

  /** Static keys; null goes back to the default provider chain. */
  public S3Config withCredentials(Credentials credentials) {
    return new S3Config(
        endpoint,
        region,
        pathStyle,
        credentials,
        readPartSize,
        readConcurrency,
        uploadPartSize,
        uploadConcurrency,
        connectTimeout,
        readTimeout,
        maxAttempts,
        retryBaseDelay,
        retryMaxDelay,
        maxConnections);
  }

  public S3Config withReadParts(int partSize, int concurrency) {
    return new S3Config(
        endpoint,
        region,
        pathStyle,
        credentials,
        partSize,
        concurrency,
        uploadPartSize,
        uploadConcurrency,
        connectTimeout,
        readTimeout,
        maxAttempts,
        retryBaseDelay,
        retryMaxDelay,
        maxConnections);
  }

  public S3Config withUploadParts(int partSize, int concurrency) {
    return new S3Config(
        endpoint,
        region,
        pathStyle,
        credentials,
        readPartSize,
        readConcurrency,
        partSize,
        concurrency,
        connectTimeout,
        readTimeout,
        maxAttempts,
        retryBaseDelay,
        retryMaxDelay,
        maxConnections);
  }

  public S3Config withTimeouts(Duration connectTimeout, Duration readTimeout) {
    return new S3Config(
        endpoint,
        region,
        pathStyle,
        credentials,
        readPartSize,
        readConcurrency,
        uploadPartSize,
        uploadConcurrency,
        connectTimeout,
        readTimeout,
        maxAttempts,
        retryBaseDelay,
        retryMaxDelay,
        maxConnections);
  }

  public S3Config withRetry(int maxAttempts, Duration baseDelay, Duration maxDelay) {
    return new S3Config(
        endpoint,
        region,
        pathStyle,
        credentials,
        readPartSize,
        readConcurrency,
        uploadPartSize,
        uploadConcurrency,
        connectTimeout,
        readTimeout,
        maxAttempts,
        baseDelay,
        maxDelay,
        maxConnections);
  }

  /**
   * How requests and parts are retried: these attempts and delays with {@link
   * RetryPolicy#DEFAULT_S3}'s growth factor and jitter.
   */
  public RetryPolicy retryPolicy() {
    return new RetryPolicy(
        maxAttempts,
        retryBaseDelay,
        RetryPolicy.DEFAULT_S3.factor(),
        retryMaxDelay,
        RetryPolicy.DEFAULT_S3.jitter());
  }

  public S3Config withMaxConnections(int maxConnections) {
    return new S3Config(
        endpoint,
        region,
        pathStyle,
        credentials,
        readPartSize,
        readConcurrency,
        uploadPartSize,
        uploadConcurrency,
        connectTimeout,
        readTimeout,
        maxAttempts,
        retryBaseDelay,
        retryMaxDelay,
        maxConnections);
  }

  private static void requirePositive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }

  private static void requirePositive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, was " + value);
    }
  }
}
