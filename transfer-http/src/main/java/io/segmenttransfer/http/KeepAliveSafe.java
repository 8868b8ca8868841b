package io.segmenttransfer.http;

import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * Subscribes HTTP handlers off the thread that dispatches the request.
 *
 * <p>Works around reactor-netty#4361 (1.3.7, the version the Reactor BOM gives us; 1.3.8 has the
 * fix but needs a Netty whose native transport is not on Maven Central): on a keep-alive
 * connection, a request that arrives before the previous one's handling has wound down is buffered,
 * and if it is then answered synchronously, inside the dispatch, the connection stops reading; the
 * next request on it is never answered. Clients that reuse connections at once (ours do, on
 * loopback) hit it every few hundred requests. Subscribing the handler on another thread means no
 * answer completes inside the dispatch. {@code KeepAliveTest} shows the hang without it.
 */
public final class KeepAliveSafe {

  private KeepAliveSafe() {}

  public static BiFunction<HttpServerRequest, HttpServerResponse, Mono<Void>> offDispatch(
      BiFunction<HttpServerRequest, HttpServerResponse, ? extends Publisher<Void>> handler) {
    return (request, response) ->
        Mono.defer(() -> Mono.from(handler.apply(request, response)))
            .subscribeOn(Schedulers.parallel());
  }
}
