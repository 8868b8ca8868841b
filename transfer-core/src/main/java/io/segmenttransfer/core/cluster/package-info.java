/**
 * Cluster records shared by the controller, its client and the daemon: InstanceInfo, an instance
 * as Pinot's /instances registers and shows it, with its id rules. Data only.
 */
package io.segmenttransfer.core.cluster;
