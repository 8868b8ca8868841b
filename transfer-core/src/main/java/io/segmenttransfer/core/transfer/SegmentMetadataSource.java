package io.segmenttransfer.core.transfer;

import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import reactor.core.publisher.Mono;

/** Where the current metadata of a segment comes from: the controller. */
@FunctionalInterface
public interface SegmentMetadataSource {

  /** The segment's metadata as the controller has it now. */
  Mono<SegmentMetadata> fetch(SegmentId segment);
}
