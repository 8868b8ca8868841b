package io.segmenttransfer.server.cli;

import io.segmenttransfer.s3.S3Config;
import io.segmenttransfer.s3.S3SegmentStore;
import java.net.URI;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --s3-endpoint}, {@code --s3-region}, {@code --s3-path-style}: how commands that accept
 * {@code s3://bucket/key} URIs (or an {@code s3://bucket/prefix} deep store) reach S3. Credentials
 * come from the SDK's default chain: the standard AWS environment variables ({@code
 * AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN}), system properties,
 * or the profile ({@code AWS_PROFILE}, {@code ~/.aws/credentials}), so secrets never appear on a
 * command line. An option not given is null, so that {@code server} can tell it from the same
 * setting in its config file.
 */
final class S3Options {

  @Option(
      names = "--s3-endpoint",
      paramLabel = "URL",
      description =
          "S3 endpoint for s3:// URIs, for S3-compatible servers (default: AWS for the region).")
  URI endpoint;

  @Option(
      names = "--s3-region",
      paramLabel = "REGION",
      description = "S3 signing region (default: " + S3Config.DEFAULT_REGION + ").")
  String region;

  @Option(
      names = "--s3-path-style",
      description =
          "Address buckets as <endpoint>/<bucket>/<key>, as most S3-compatible servers need.")
  Boolean pathStyle;

  /** The store configuration these options describe; the rest keeps its defaults. */
  S3Config toConfig() {
    return S3Config.defaults()
        .withEndpoint(endpoint)
        .withRegion(region == null ? S3Config.DEFAULT_REGION : region)
        .withPathStyle(Boolean.TRUE.equals(pathStyle));
  }

  /**
   * As {@link #toConfig()}, for a command that runs once: when the SDK's default chain would take
   * its keys from the standard environment variables (no {@code aws.accessKeyId} system property
   * before them, both variables set, no session token), those keys as explicit credentials. The
   * signer then resolves the same keys without building the chain: six providers, the profile files
   * looked for under {@code ~/.aws}, the container and instance-metadata providers made ready
   * (profiled: about 60 classes and a profile-file probe before the first request of a fresh JVM).
   * Anything else (a session token, properties, a profile, a role) is left to the chain as before.
   */
  S3Config toOneShotConfig(Map<String, String> environment) {
    S3Config config = toConfig();
    String id = environment.get("AWS_ACCESS_KEY_ID");
    String secret = environment.get("AWS_SECRET_ACCESS_KEY");
    String token = environment.get("AWS_SESSION_TOKEN");
    if (System.getProperty("aws.accessKeyId") != null
        || id == null
        || id.isBlank()
        || secret == null
        || secret.isBlank()
        || (token != null && !token.isBlank())) {
      return config;
    }
    // Trimmed, as the SDK's environment provider reads them.
    return config.withCredentials(new S3Config.Credentials(id.trim(), secret.trim()));
  }

  /** A store with its own client; the caller closes it. */
  S3SegmentStore newStore() {
    return S3SegmentStore.create(toConfig());
  }
}
