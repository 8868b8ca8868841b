package io.segmenttransfer.core.store;

import java.net.URI;

/**
 * What a store knows of an object without reading it.
 *
 * @param uri where it is
 * @param size its length in bytes, or -1 when the source does not know it before sending (a peer
 *     that builds the archive on the fly)
 * @param version a tag that changes whenever the bytes change (an ETag, or size+mtime+inode for a
 *     file): two reads with the same version serve identical bytes, which is what makes resuming a
 *     read at a byte offset safe
 */
public record ObjectInfo(URI uri, long size, String version) {}
