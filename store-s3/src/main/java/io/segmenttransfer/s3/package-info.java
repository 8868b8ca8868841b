/**
 * The S3 deep store: S3SegmentStore (create it from an S3Config) reads s3://bucket/key with
 * parallel ranged GETs pinned to the first ETag, and writes with multipart uploads, on the AWS
 * async SDK. Everything else is package-private plumbing; S3Errors is the one place SDK failures
 * become the project's SourceExceptions.
 */
@NullMarked
package io.segmenttransfer.s3;

import org.jspecify.annotations.NullMarked;
