/**
 * Limits every HTTP listener of the project runs with, so a hostile or broken client cannot hold
 * connections, memory or threads: {@link io.segmenttransfer.http.limits.ListenerLimits} holds the
 * values (request line and header sizes, concurrent connections, the request, body-read and idle
 * timeouts, JSON and multipart body sizes) and {@link
 * io.segmenttransfer.http.limits.HttpServerLimits} applies them to a reactor-netty {@code
 * HttpServer}. Routes read the body limits of the listener that accepted a request with {@link
 * io.segmenttransfer.http.limits.ListenerLimits#of}.
 */
@NullMarked
package io.segmenttransfer.http.limits;

import org.jspecify.annotations.NullMarked;
