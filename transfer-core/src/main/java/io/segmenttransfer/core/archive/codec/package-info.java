/**
 * The compression codecs behind Codec, as caller-driven ByteTransforms: gzip, zstd and lz4 frame
 * decoders and encoders, created through Codecs. They write only into the caller's buffers, so
 * memory stays bounded whatever the ratio, and report corrupt or truncated input as
 * InvalidArchiveException. The parallel layouts (zstd as independent frames, gzip as one member of
 * independently deflated chunks) have their own writers and readers (ChunkedEncoder, ChunkedDecoder
 * and their zstd and gzip forms) that work chunk by chunk on CodecPool with a bounded number of
 * chunks in flight, as ParallelSettings says, and hand the bytes out in order.
 */
@NullMarked
package io.segmenttransfer.core.archive.codec;

import org.jspecify.annotations.NullMarked;
