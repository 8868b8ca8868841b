package io.segmenttransfer.server;

import java.io.InputStream;
import java.time.Duration;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * A blob store whose writes (a single put, and every step of a multipart upload) wait while the
 * gate is closed: the deep store of a slow or stalled uploader, seen through the real S3 protocol.
 * Held requests wait on S3Proxy's own request threads, never on an event loop of ours.
 */
public final class WriteGate extends ForwardingBlobStore {

  private boolean open = true;
  private int held;
  private long passed;

  WriteGate(BlobStore delegate) {
    super(delegate);
  }

  /** From now on, writes wait. */
  public synchronized void hold() {
    open = false;
  }

  /** Lets every held write and every later one through. */
  public synchronized void release() {
    open = true;
    notifyAll();
  }

  /** Writes that completed their wait (each put, part, start and completion counts once). */
  public synchronized long passed() {
    return passed;
  }

  /** Waits until at least one write is being held; fails after {@code timeout}. */
  public synchronized void awaitHeld(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (held == 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no write reached the deep store within " + timeout);
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  private synchronized void pass() {
    held++;
    notifyAll();
    try {
      while (!open) {
        wait();
      }
      passed++;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the write gate was closed", e);
    } finally {
      held--;
    }
  }

  @Override
  public PutObjectResponse putBlob(PutObjectRequest request, InputStream content) {
    pass();
    return super.putBlob(request, content);
  }

  @Override
  public MultipartUpload initiateMultipartUpload(CreateMultipartUploadRequest request) {
    pass();
    return super.initiateMultipartUpload(request);
  }

  @Override
  public UploadPartResponse uploadMultipartPart(
      MultipartUpload upload, UploadPartRequest request, InputStream content) {
    pass();
    return super.uploadMultipartPart(upload, request, content);
  }

  @Override
  public CompleteMultipartUploadResponse completeMultipartUpload(
      MultipartUpload upload, CompleteMultipartUploadRequest request) {
    pass();
    return super.completeMultipartUpload(upload, request);
  }
}
