/**
 * HTTP plumbing shared by every HTTP surface and client: HttpErrors, the one mapping of HTTP
 * statuses and client failures to the project's SourceExceptions (with Retry-After and ETag
 * helpers), and KeepAliveSafe, the workaround that subscribes reactor-netty handlers off the
 * dispatching thread. No routes or clients here.
 */
@NullMarked
package io.segmenttransfer.http;

import org.jspecify.annotations.NullMarked;
