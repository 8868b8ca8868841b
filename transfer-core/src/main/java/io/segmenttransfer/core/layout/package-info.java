/**
 * The on-disk layout of a segment in a data directory (SegmentPaths: the segment, its backup, temp
 * and staging directories) and SegmentSwap, the crash-safe atomic swap of a new copy into place and
 * the recovery of an interrupted one: blocking file-system code. And DiskWork, which runs such code
 * from Reactor pipelines and counts it, so that an operation tells when its file-system work and
 * resources are gone, cancel included.
 */
@NullMarked
package io.segmenttransfer.core.layout;

import org.jspecify.annotations.NullMarked;
