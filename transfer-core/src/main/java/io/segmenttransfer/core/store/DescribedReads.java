package io.segmenttransfer.core.store;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;

/**
 * A store whose first response to a read already tells the object's size and version (an S3 ranged
 * GET's {@code Content-Range} and {@code ETag}), so a downloader can start reading without asking
 * for them first: one round trip less before the first byte than {@link SegmentStore#stat} then
 * {@link SegmentStore#read(URI, long, String)}.
 */
public interface DescribedReads {

  /**
   * The whole object, as {@link SegmentStore#read(URI, long)} from byte 0, pinned to the version of
   * its first response. {@code described} is called once, with the object's size and version,
   * before the first buffer is emitted (and before completion, for an empty object); a read that
   * fails before the first response never calls it.
   */
  Flux<ByteBuffer> readDescribed(URI uri, Consumer<ObjectInfo> described);
}
