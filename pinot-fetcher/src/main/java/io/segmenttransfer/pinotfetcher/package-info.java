/**
 * A {@code SegmentFetcher} for Apache Pinot servers: {@link
 * io.segmenttransfer.pinotfetcher.SegmentTransferFetcher} runs this project's download pipeline
 * (resumable S3 and HTTP reads, one-pass decrypt, decompress, untar and CRC check) behind Pinot's
 * {@code SegmentFetcherFactory}. {@code FetcherSettings} reads its configuration from the keys
 * Pinot hands each protocol's fetcher; {@code FetcherRuntime} owns the pipeline's threads and
 * clients. Shaded into {@code segment-transfer-pinot-fetcher.jar} with every dependency relocated.
 */
@NullMarked
package io.segmenttransfer.pinotfetcher;

import org.jspecify.annotations.NullMarked;
