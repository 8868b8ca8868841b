package io.segmenttransfer.controller.sync;

import io.segmenttransfer.controller.api.StaleSegment;
import io.segmenttransfer.core.cluster.InstanceInfo;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.http.HttpErrors;
import io.segmenttransfer.http.tls.SecuritySettings;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Asks the servers holding a table's segments what they think of their copies: Pinot's {@code GET
 * http://<host>:<adminPort>/tables/<tableNameWithType>/segments/isStale}, with this project's
 * {@code reloading} flag. A server that does not answer is listed as unreachable; its copies count
 * as neither stale nor reloading.
 */
final class ServerStaleness {

  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);
  private static final int CONCURRENCY = 8;

  /**
   * What the servers said.
   *
   * @param staleOn segment name to the servers reporting it stale
   * @param reloadingOn segment name to the servers changing their copy now
   * @param unreachable servers that did not answer, with why
   */
  record View(
      Map<String, List<String>> staleOn,
      Map<String, List<String>> reloadingOn,
      List<String> unreachable) {}

  private final HttpClient http;

  /**
   * @param security the controller's client side: its trust, client certificate and credentials for
   *     servers that serve HTTPS (each server's registration says whether it does)
   */
  ServerStaleness(SecuritySettings security) {
    this.http =
        security.client().configure(HttpClient.newConnection()).responseTimeout(ANSWER_TIMEOUT);
  }

  /** Asks every server in {@code servers}; lazy; never fails (unreachable ones are listed). */
  Mono<View> ask(TableNameWithType table, Collection<InstanceInfo> servers) {
    return Flux.fromIterable(servers)
        .flatMap(
            server ->
                ask(table, server)
                    .map(answer -> Map.entry(server.id(), (Object) answer))
                    .onErrorResume(e -> Mono.just(Map.entry(server.id(), (Object) e.toString()))),
            CONCURRENCY)
        .collectList()
        .map(
            answers -> {
              Map<String, List<String>> stale = new TreeMap<>();
              Map<String, List<String>> reloading = new TreeMap<>();
              List<String> unreachable = new ArrayList<>();
              for (Map.Entry<String, Object> answer : answers) {
                if (answer.getValue() instanceof List<?> list) {
                  for (Object o : list) {
                    StaleSegment s = (StaleSegment) o;
                    if (s.isStale()) {
                      stale
                          .computeIfAbsent(s.segmentName(), k -> new ArrayList<>())
                          .add(answer.getKey());
                    }
                    if (s.reloading()) {
                      reloading
                          .computeIfAbsent(s.segmentName(), k -> new ArrayList<>())
                          .add(answer.getKey());
                    }
                  }
                } else {
                  unreachable.add(answer.getKey() + " (" + answer.getValue() + ")");
                }
              }
              stale.values().forEach(l -> l.sort(null));
              reloading.values().forEach(l -> l.sort(null));
              return new View(stale, reloading, List.copyOf(new TreeSet<>(unreachable)));
            });
  }

  private Mono<List<StaleSegment>> ask(TableNameWithType table, InstanceInfo server) {
    return Mono.defer(
        () -> {
          URI uri = uri(table, server);
          return http.get()
              .uri(uri.toASCIIString())
              .responseSingle(
                  (response, content) ->
                      HttpErrors.answerText(uri, response, content)
                          .map(
                              text -> {
                                try {
                                  return StaleSegment.parseList(
                                      io.segmenttransfer.controller.api.ControllerJson.MAPPER
                                          .readTree(text));
                                } catch (java.io.IOException e) {
                                  throw new InvalidRequestException(
                                      null, uri + " answered no JSON: " + e.getMessage(), e);
                                }
                              }))
              .onErrorMap(e -> HttpErrors.forFailure(uri, e));
        });
  }

  /** Over https when the server registered an HTTPS admin port ({@link InstanceInfo#adminUri}). */
  static URI uri(TableNameWithType table, InstanceInfo server) {
    return server.adminUri("/tables/" + table + "/segments/isStale", null);
  }
}
