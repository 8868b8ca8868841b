/**
 * The compression codecs behind Codec, as caller-driven ByteTransforms: gzip, zstd and lz4 frame
 * decoders and encoders, created through Codecs. They write only into the caller's buffers, so
 * memory stays bounded whatever the ratio, and report corrupt or truncated input as
 * InvalidArchiveException.
 */
@NullMarked
package io.segmenttransfer.core.archive.codec;

import org.jspecify.annotations.NullMarked;
