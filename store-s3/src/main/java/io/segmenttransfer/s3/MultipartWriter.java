package io.segmenttransfer.s3;

import io.segmenttransfer.core.transfer.RetryPolicy;
import io.segmenttransfer.s3.UploadParts.UploadPart;
import java.nio.ByteBuffer;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Streams a body to S3: one PUT when it fits in one part, otherwise a multipart upload whose parts
 * are uploaded {@code uploadConcurrency} at a time. Memory stays at most {@code (uploadConcurrency
 * + 2) * uploadPartSize} whatever the body size. The object appears only when the upload completes;
 * on error or cancel the multipart upload is aborted, so no orphaned parts stay behind (and are
 * billed).
 */
final class MultipartWriter {

  private static final Logger LOG = LoggerFactory.getLogger(MultipartWriter.class);

  private final S3AsyncClient client;
  private final int partSize;
  private final int concurrency;
  private final RetryPolicy backoff;

  MultipartWriter(S3AsyncClient client, S3Config config) {
    this.client = client;
    this.partSize = config.uploadPartSize();
    this.concurrency = config.uploadConcurrency();
    this.backoff = config.retryPolicy();
  }

  Mono<Void> write(S3Location location, Flux<ByteBuffer> content) {
    return UploadParts.split(content, partSize)
        .switchOnFirst(
            (first, parts) -> {
              if (first.hasValue() && first.get().last()) {
                return parts.concatMap(part -> put(location, part));
              }
              return multipart(location, parts);
            })
        .then();
  }

  private Mono<Void> put(S3Location location, UploadPart part) {
    return Mono.defer(
            () ->
                Mono.fromFuture(
                        () ->
                            client.putObject(
                                PutObjectRequest.builder()
                                    .bucket(location.bucket())
                                    .key(location.key())
                                    .contentLength((long) part.size())
                                    .build(),
                                // Unsafe = no copy: the part is ours and never modified; each
                                // attempt reads a duplicate.
                                AsyncRequestBody.fromRemainingByteBufferUnsafe(
                                    part.bytes().duplicate())))
                    .onErrorMap(e -> S3Errors.map(location.uri(), e)))
        .retryWhen(backoff.retrySpec())
        .then();
  }

  private Mono<Void> multipart(S3Location location, Flux<UploadPart> parts) {
    return Mono.usingWhen(
        create(location),
        uploadId ->
            parts
                .flatMap(part -> uploadPart(location, uploadId, part), concurrency, 1)
                .collectSortedList(Comparator.comparing(CompletedPart::partNumber))
                .flatMap(completed -> complete(location, uploadId, completed)),
        uploadId -> Mono.empty(),
        (uploadId, error) -> abort(location, uploadId),
        uploadId -> abort(location, uploadId));
  }

  /**
   * Starts the upload. A cancel does not cancel the request in flight: S3 may create the upload
   * anyway, and only its id lets us abort it, so the response is awaited and, once nobody wants it,
   * the upload it names is aborted.
   */
  private Mono<String> create(S3Location location) {
    return Mono.defer(
            () ->
                Mono.fromFuture(
                        () ->
                            client.createMultipartUpload(
                                CreateMultipartUploadRequest.builder()
                                    .bucket(location.bucket())
                                    .key(location.key())
                                    .build()),
                        true)
                    .onErrorMap(e -> S3Errors.map(location.uri(), e)))
        .retryWhen(backoff.retrySpec())
        .map(response -> response.uploadId())
        .doOnDiscard(
            CreateMultipartUploadResponse.class,
            late -> abort(location, late.uploadId()).subscribe());
  }

  private Mono<CompletedPart> uploadPart(S3Location location, String uploadId, UploadPart part) {
    return Mono.defer(
            () ->
                Mono.fromFuture(
                        () ->
                            client.uploadPart(
                                UploadPartRequest.builder()
                                    .bucket(location.bucket())
                                    .key(location.key())
                                    .uploadId(uploadId)
                                    .partNumber(part.number())
                                    .contentLength((long) part.size())
                                    .build(),
                                AsyncRequestBody.fromRemainingByteBufferUnsafe(
                                    part.bytes().duplicate())))
                    .onErrorMap(e -> S3Errors.map(location.uri(), e)))
        .retryWhen(backoff.retrySpec())
        .map(
            response ->
                CompletedPart.builder().partNumber(part.number()).eTag(response.eTag()).build());
  }

  private Mono<Void> complete(S3Location location, String uploadId, List<CompletedPart> parts) {
    return Mono.defer(
            () ->
                Mono.fromFuture(
                        () ->
                            client.completeMultipartUpload(
                                CompleteMultipartUploadRequest.builder()
                                    .bucket(location.bucket())
                                    .key(location.key())
                                    .uploadId(uploadId)
                                    .multipartUpload(
                                        CompletedMultipartUpload.builder().parts(parts).build())
                                    .build()))
                    .onErrorMap(e -> S3Errors.map(location.uri(), e)))
        .retryWhen(backoff.retrySpec())
        .then();
  }

  /**
   * Best effort, and never replaces the error that caused it: the caller learns why the write
   * failed; a failed abort is logged (a bucket lifecycle rule for incomplete uploads is the
   * backstop).
   */
  private Mono<Void> abort(S3Location location, String uploadId) {
    return Mono.defer(
            () ->
                Mono.fromFuture(
                        () ->
                            client.abortMultipartUpload(
                                AbortMultipartUploadRequest.builder()
                                    .bucket(location.bucket())
                                    .key(location.key())
                                    .uploadId(uploadId)
                                    .build()))
                    .onErrorMap(e -> S3Errors.map(location.uri(), e)))
        .retryWhen(backoff.retrySpec())
        .then()
        .onErrorResume(
            e -> {
              LOG.warn(
                  "could not abort multipart upload {} of {}: {}",
                  uploadId,
                  location,
                  e.toString());
              return Mono.empty();
            });
  }
}
