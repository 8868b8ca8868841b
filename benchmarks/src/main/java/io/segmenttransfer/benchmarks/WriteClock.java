package io.segmenttransfer.benchmarks;

import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * A blob store that notes when each object became complete ({@link System#nanoTime()} as its single
 * put or its multipart completion returns), so a benchmark learns when an upload finished without
 * asking the S3 server. Polling it with HEAD requests every few milliseconds cost a whole core on a
 * 2-core machine, taken from the compression it was timing.
 */
final class WriteClock extends ForwardingBlobStore {

  private final Map<String, Long> completed = new ConcurrentHashMap<>();

  WriteClock(BlobStore delegate) {
    super(delegate);
  }

  /** When {@code bucket/key} was last completed, or -1 if it never was. */
  long completedAt(String bucket, String key) {
    return completed.getOrDefault(bucket + "/" + key, -1L);
  }

  @Override
  public PutObjectResponse putBlob(PutObjectRequest request, InputStream content) {
    PutObjectResponse response = super.putBlob(request, content);
    completed.put(request.bucket() + "/" + request.key(), System.nanoTime());
    return response;
  }

  @Override
  public CompleteMultipartUploadResponse completeMultipartUpload(
      MultipartUpload upload, CompleteMultipartUploadRequest request) {
    CompleteMultipartUploadResponse response = super.completeMultipartUpload(upload, request);
    completed.put(request.bucket() + "/" + request.key(), System.nanoTime());
    return response;
  }
}
