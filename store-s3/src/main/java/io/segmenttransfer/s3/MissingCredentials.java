package io.segmenttransfer.s3;

import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * The SDK's default credentials chain, with its "no credentials anywhere" failure made a type of
 * its own: the SDK reports it as a plain {@link SdkClientException} (a transient-looking client
 * failure with a 4 KB message), which {@link S3Errors} could only tell apart by its text. No retry
 * can find credentials that are not configured, so it is mapped to access denied.
 */
final class MissingCredentials extends RuntimeException {

  MissingCredentials(SdkClientException cause) {
    super("no AWS credentials found", cause, false, false);
  }

  /** Wraps a provider so that its failure to find credentials throws {@link MissingCredentials}. */
  static AwsCredentialsProvider reporting(AwsCredentialsProvider chain) {
    return new Reporting(chain);
  }

  private record Reporting(AwsCredentialsProvider chain)
      implements AwsCredentialsProvider, SdkAutoCloseable {
    @Override
    public AwsCredentials resolveCredentials() {
      try {
        return chain.resolveCredentials();
      } catch (SdkClientException e) {
        throw new MissingCredentials(e);
      }
    }

    @Override
    public void close() {
      if (chain instanceof SdkAutoCloseable closeable) {
        closeable.close();
      }
    }
  }
}
