package io.segmenttransfer.core.archive.codec;

import io.segmenttransfer.core.stream.ByteTransform;

/**
 * The parallel gzip reader on every stream the serial one is tested with (none has the chunk
 * layout's header, so all go to its serial fallback): it must read all of them the same way and
 * refuse the same bad input.
 */
class GzipChunksFallbackTest extends GzipCodecTest {

  @Override
  ByteTransform decoder() {
    return Codecs.decoder(codec(), SUBJECT, ParallelLayouts.SETTINGS);
  }
}
