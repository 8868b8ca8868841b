/**
 * ByteTransform, the caller-driven streaming transformation (decrypt, decompress, compress) the
 * codecs and crypters implement, and the PassThroughTransform that copies. The caller owns every
 * output buffer, so memory in flight does not depend on the stream's size.
 */
@NullMarked
package io.segmenttransfer.core.stream;

import org.jspecify.annotations.NullMarked;
