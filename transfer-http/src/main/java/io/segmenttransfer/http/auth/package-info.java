/**
 * Authentication and authorisation of the HTTP surfaces (the controller, the server daemon's admin
 * and peer port).
 *
 * <p>{@link io.segmenttransfer.http.auth.AuthFile} reads the YAML list of principals, their hashed
 * secrets and {@link io.segmenttransfer.http.auth.Permission}s; {@link
 * io.segmenttransfer.http.auth.Authenticator} turns an {@code Authorization} header (Basic or
 * Bearer) into a {@link io.segmenttransfer.http.auth.Principal}; {@link
 * io.segmenttransfer.http.auth.RoutePermissions} says which permission each route needs ({@link
 * io.segmenttransfer.http.auth.ControllerRoutePermissions}, {@link
 * io.segmenttransfer.http.auth.ServerRoutePermissions}); {@link
 * io.segmenttransfer.http.auth.AccessControl} puts them together in front of a surface's router, so
 * a request is answered 401 or 403 before any route looks at a table or a segment.
 *
 * <p>Secrets never leave this package: no class here logs, prints or puts into an error message a
 * password, a token or a hash.
 */
@NullMarked
package io.segmenttransfer.http.auth;

import org.jspecify.annotations.NullMarked;
