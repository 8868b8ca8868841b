/**
 * Pieces of the quickstart command: SampleSegments writes generated Pinot v3 sample segments and
 * their archives, and QuickstartDeepStore provides the deep store (a local directory or an
 * in-process S3 server). For demos only; the product code does not depend on it.
 */
@NullMarked
package io.segmenttransfer.server.quickstart;

import org.jspecify.annotations.NullMarked;
