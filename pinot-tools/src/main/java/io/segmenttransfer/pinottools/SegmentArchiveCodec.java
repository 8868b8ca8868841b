package io.segmenttransfer.pinottools;

/** The codecs {@code build-segment --archive} writes, named as Pinot's tar utility names them. */
enum SegmentArchiveCodec {
  gzip("gz"),
  zstd("zstd");

  private final String pinotCompressorName;

  SegmentArchiveCodec(String pinotCompressorName) {
    this.pinotCompressorName = pinotCompressorName;
  }

  /** The compressor name {@code TarCompressionUtils.createCompressedTarFile} takes. */
  String pinotCompressorName() {
    return pinotCompressorName;
  }
}
