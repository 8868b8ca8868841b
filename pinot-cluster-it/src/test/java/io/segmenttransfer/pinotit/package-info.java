/**
 * Tests against a real Apache Pinot 0.11 cluster: ZooKeeper, a controller and servers run as
 * separate JVMs from the jars in {@code target/pinot-0.11-lib} (resolved by the module's nested
 * build, never on this classpath). {@link io.segmenttransfer.pinotit.PinotCluster} starts and stops
 * them; the tests run this project's command line against it.
 */
package io.segmenttransfer.pinotit;
