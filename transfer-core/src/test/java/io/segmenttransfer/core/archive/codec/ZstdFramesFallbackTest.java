package io.segmenttransfer.core.archive.codec;

import io.segmenttransfer.core.stream.ByteTransform;

/**
 * The parallel zstd reader on every stream the serial one is tested with (zstd-jni's streaming
 * output has no content size, so these go to its serial fallback; one-shot frames with a content
 * size go through the parallel path): it must read all of them the same way and refuse the same bad
 * input.
 */
class ZstdFramesFallbackTest extends ZstdCodecTest {

  @Override
  ByteTransform decoder() {
    return Codecs.decoder(codec(), SUBJECT, ParallelLayouts.SETTINGS);
  }
}
