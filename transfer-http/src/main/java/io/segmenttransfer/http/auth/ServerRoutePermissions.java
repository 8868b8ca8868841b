package io.segmenttransfer.http.auth;

import static io.netty.handler.codec.http.HttpMethod.GET;
import static io.netty.handler.codec.http.HttpMethod.HEAD;
import static io.netty.handler.codec.http.HttpMethod.POST;
import static io.segmenttransfer.http.auth.Permission.ADMIN;
import static io.segmenttransfer.http.auth.Permission.READ;
import static io.segmenttransfer.http.auth.Permission.SERVER;

/**
 * The server daemon's admin and peer routes (transfer-server's SegmentServer, store-peer's
 * PeerSegmentHandler) and the permission each needs. A route added to the daemon and not here stops
 * a secured server from starting.
 */
public final class ServerRoutePermissions {

  public static final RoutePermissions TABLE =
      RoutePermissions.builder()
          // Peer download (PeerSegmentHandler.PATH): what a server needs from another.
          .require(READ, HEAD, "/segments/{tableNameWithType}/{segmentName}")
          .require(READ, GET, "/segments/{tableNameWithType}/{segmentName}")
          // Open: orchestrators' liveness and readiness probes carry no credentials, and the answer
          // says only READY or STARTING and the instance id, which the controller lists anyway.
          .open(GET, "/health")
          // Prometheus sends basic_auth or a bearer token from its scrape config; the series name
          // tables and counts, which are not for anyone who reaches the port.
          .require(READ, GET, "/metrics")
          .require(READ, GET, "/tables/{table}/segments/crc")
          .require(READ, GET, "/tables/{table}/segments/isStale")
          .require(READ, GET, "/transfers")
          // Asked for by the controller (deep-store repair, Pinot's uploadLLCSegment): cluster
          // work.
          .require(SERVER, POST, "/segments/{table}/{segment}/upload")
          .require(SERVER, POST, "/segments/{table}/{segment}/uploadLLCSegment")
          // The commit command: an operator pushes a segment built here.
          .require(ADMIN, POST, "/segments/{table}/{segment}/commit")
          .build();

  private ServerRoutePermissions() {}
}
