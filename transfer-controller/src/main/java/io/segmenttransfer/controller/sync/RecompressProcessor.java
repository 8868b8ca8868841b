package io.segmenttransfer.controller.sync;

import io.segmenttransfer.controller.ArchiveVersions;
import io.segmenttransfer.controller.ControllerStore.SegmentDocument;
import io.segmenttransfer.core.archive.Codec;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * {@code processor=recompress}: re-archives a segment in another codec (and level), files
 * untouched, so its CRC stays and servers keep their copies; only the deep-store archive and its
 * download URL change (a table's deep store from gzip to zstd, say). A segment whose archive is in
 * the target codec already is up to date (the level of an existing archive cannot be read back).
 */
final class RecompressProcessor implements SegmentProcessor {

  private final ArchiveFormat format;

  RecompressProcessor(ArchiveFormat format) {
    this.format = format;
  }

  @Override
  public String name() {
    return "recompress " + format;
  }

  @Override
  public boolean appliesTableConfig() {
    return false;
  }

  @Override
  public @Nullable String upToDate(SegmentDocument segment, String tableHash) {
    return ArchiveVersions.sameCodec(segment.archive(), format.codec())
        ? "archive is " + format.codec().extension() + " already"
        : null;
  }

  @Override
  public ArchiveFormat archiveFormat(Codec original) {
    return format;
  }

  @Override
  public Mono<Void> process(ProcessorContext context) {
    return Mono.empty();
  }
}
