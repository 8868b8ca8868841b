package io.segmenttransfer.s3;

import io.segmenttransfer.core.error.InvalidRequestException;
import java.net.URI;
import java.util.Locale;

/** The bucket and key an {@code s3://bucket/key} URI names. */
record S3Location(URI uri, String bucket, String key) {

  static S3Location of(URI uri) {
    if (uri == null
        || uri.getScheme() == null
        || !uri.getScheme().toLowerCase(Locale.ROOT).equals("s3")) {
      throw new InvalidRequestException(null, "not an s3:// URI: " + uri);
    }
    // The authority, not the host: bucket names with characters URI does not accept in host names
    // (underscores in legacy buckets) still parse as an authority.
    String bucket = uri.getRawAuthority();
    String path = uri.getPath();
    if (bucket == null || bucket.isEmpty() || path == null || path.length() <= 1) {
      throw new InvalidRequestException(
          null, "an S3 URI needs a bucket and a key (s3://bucket/key): " + uri);
    }
    return new S3Location(uri, bucket, path.substring(1));
  }

  @Override
  public String toString() {
    return uri.toString();
  }
}
