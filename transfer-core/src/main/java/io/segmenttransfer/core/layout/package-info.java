/**
 * The on-disk layout of a segment in a data directory (SegmentPaths: the segment, its backup,
 * temp and staging directories) and SegmentSwap, the crash-safe atomic swap of a new copy into
 * place and the recovery of an interrupted one. Blocking file-system code only.
 */
@NullMarked
package io.segmenttransfer.core.layout;

import org.jspecify.annotations.NullMarked;
