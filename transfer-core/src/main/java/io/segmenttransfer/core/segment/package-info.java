/**
 * Segment identity and metadata: TableNameWithType and SegmentId (validated as path components),
 * SegmentMetadata with its typed accessors and SegmentMetadataJson, CreationMeta (Pinot's
 * creation.meta) and SegmentCrc, Pinot's segment CRC. Values and parsing only, no I/O.
 */
@NullMarked
package io.segmenttransfer.core.segment;

import org.jspecify.annotations.NullMarked;
