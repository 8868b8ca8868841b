/**
 * The server daemon: SegmentServer (started from a ServerConfig, read by ServerSettings from flags
 * and a config file) recovers its data directory, registers with the controller, follows its
 * assignment through AssignmentFollower, serves peers and exposes /health and Prometheus /metrics
 * (TransferMetrics). It runs on reactor-netty and must not block the event loops.
 */
package io.segmenttransfer.server.daemon;
