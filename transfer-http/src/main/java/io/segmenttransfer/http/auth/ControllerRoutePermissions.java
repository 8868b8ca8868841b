package io.segmenttransfer.http.auth;

import static io.netty.handler.codec.http.HttpMethod.DELETE;
import static io.netty.handler.codec.http.HttpMethod.GET;
import static io.netty.handler.codec.http.HttpMethod.HEAD;
import static io.netty.handler.codec.http.HttpMethod.POST;
import static io.netty.handler.codec.http.HttpMethod.PUT;
import static io.segmenttransfer.http.auth.Permission.ADMIN;
import static io.segmenttransfer.http.auth.Permission.READ;
import static io.segmenttransfer.http.auth.Permission.SERVER;

/**
 * The embedded controller's routes (transfer-controller: TableRoutes, SchemaRoutes, SegmentRoutes,
 * InstanceRoutes, CompletionRoutes, PeriodicTaskRoutes, SyncRoutes, in the order EmbeddedController
 * registers them) and the permission each needs. Kept here, beside the server's table, so the whole
 * policy reads in one place; a route added to the controller and not here stops a secured
 * controller from starting ({@link
 * AccessControl#guard(reactor.netty.http.server.HttpServerRoutes)}).
 *
 * <p>No controller route is open: the controller has no health route, and every answer of it says
 * something about the cluster.
 */
public final class ControllerRoutePermissions {

  public static final RoutePermissions TABLE =
      RoutePermissions.builder()
          // TableRoutes
          .require(READ, GET, "/tables")
          .require(ADMIN, POST, "/tables")
          .require(READ, GET, "/tables/{tableName}/idealstate")
          .require(READ, GET, "/tables/{tableName}/externalview")
          .require(READ, GET, "/tables/{tableName}/configHash")
          .require(READ, GET, "/tables/{tableName}")
          .require(ADMIN, PUT, "/tables/{tableName}")
          .require(ADMIN, DELETE, "/tables/{tableName}")
          // SchemaRoutes
          .require(READ, GET, "/schemas")
          .require(ADMIN, POST, "/schemas")
          .require(READ, GET, "/schemas/{name}")
          .require(ADMIN, PUT, "/schemas/{name}")
          .require(ADMIN, DELETE, "/schemas/{name}")
          // SegmentRoutes: push, metadata, download, delete
          .require(ADMIN, POST, "/v2/segments")
          .require(ADMIN, POST, "/segments")
          .require(READ, GET, "/segments/{tableName}/{segmentName}/metadata")
          .require(ADMIN, PUT, "/segments/{tableName}/{segmentName}/metadata")
          .require(READ, GET, "/segments/{tableName}/{segmentName}")
          .require(READ, HEAD, "/segments/{tableName}/{segmentName}")
          .require(ADMIN, DELETE, "/segments/{tableName}/{segmentName}")
          .require(READ, GET, "/segments/{tableName}")
          // InstanceRoutes: what a server does for itself; removing an instance is an operator's
          // act
          .require(SERVER, POST, "/instances")
          .require(READ, GET, "/instances")
          .require(SERVER, GET, "/instances/{id}/assignment")
          .require(SERVER, PUT, "/instances/{id}/segments/{tableNameWithType}/{segmentName}/state")
          .require(
              SERVER, DELETE, "/instances/{id}/segments/{tableNameWithType}/{segmentName}/state")
          .require(SERVER, DELETE, "/instances/{id}/session")
          .require(READ, GET, "/instances/{id}")
          .require(ADMIN, DELETE, "/instances/{id}")
          // CompletionRoutes: the completion protocol, and a server's report of its upload's URL
          .require(SERVER, GET, "/segmentConsumed")
          .require(SERVER, GET, "/segmentCommitStart")
          .require(SERVER, GET, "/segmentStoppedConsuming")
          .require(SERVER, GET, "/extendBuildTime")
          .require(SERVER, POST, "/segmentCommitEndWithMetadata")
          .require(SERVER, POST, "/segmentUpload")
          .require(SERVER, POST, "/segmentCommitEnd")
          .require(SERVER, POST, "/segmentCommit")
          .require(SERVER, PUT, "/segments/{tableNameWithType}/{segmentName}/downloadUrl")
          // PeriodicTaskRoutes
          .require(ADMIN, GET, "/periodictask/run")
          .require(READ, GET, "/periodictask/names")
          .require(READ, GET, "/periodictask/status")
          // SyncRoutes
          .require(ADMIN, POST, "/tasks/DeepStoreSync/run")
          .require(READ, GET, "/tasks/DeepStoreSync/runs/{id}")
          .require(ADMIN, DELETE, "/tasks/DeepStoreSync/runs/{id}")
          .build();

  private ControllerRoutePermissions() {}
}
