/**
 * Cluster records shared by the controller, its client and the daemon: InstanceInfo, an instance as
 * Pinot's /instances registers and shows it, with its id rules, and InstanceInfoJson, the one
 * reader of its JSON record (Pinot's and ours, any id).
 */
package io.segmenttransfer.core.cluster;
