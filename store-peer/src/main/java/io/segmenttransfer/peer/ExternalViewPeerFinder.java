package io.segmenttransfer.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segmenttransfer.core.cluster.InstanceInfo;
import io.segmenttransfer.core.cluster.InstanceInfoJson;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SourceException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.transfer.PeerFinder;
import io.segmenttransfer.http.HttpErrors;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Finds peers in the controller's external view, as Pinot servers do: reads {@code GET
 * /tables/{raw}/externalview?tableType=T}, keeps the instances that hold the segment {@code ONLINE}
 * (never {@code CONSUMING}, {@code OFFLINE} or {@code ERROR}), drops this server, resolves each
 * instance's admin endpoint with {@code GET /instances/{id}} ({@code hostName}, {@code adminPort};
 * any instance id, Pinot's {@code Server_<host>_<port>} or custom) and returns {@code
 * scheme://host:adminPort/segments/{table}/{segment}} in random order. Every call reads the view
 * afresh, since it converges late.
 *
 * <p>A failing controller (down, 5xx, unreadable answer) is a {@code SourceUnavailableException}
 * naming the controller URI; the downloader's source chain records it as a peer round without
 * peers, with that cause, and looks again after its backoff. An instance whose record cannot be
 * read is left out of that round (logged), so one broken record does not hide the other peers.
 */
public final class ExternalViewPeerFinder implements PeerFinder {

  private static final Logger LOG = LoggerFactory.getLogger(ExternalViewPeerFinder.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ONLINE = "ONLINE";

  private final HttpClient client;
  private final PeerDiscoveryConfig config;

  public ExternalViewPeerFinder(HttpClient client, PeerDiscoveryConfig config) {
    this.client = client;
    this.config = config;
  }

  /**
   * Completes with the peers' download URIs, possibly empty (no view for the table, no ONLINE
   * replica); errors with a {@code SourceException} when the controller's view cannot be read.
   */
  @Override
  public Mono<List<URI>> findPeers(SegmentId segment) {
    return peerScheme(segment)
        .flatMapMany(
            scheme ->
                onlineInstances(segment)
                    .flatMapMany(Flux::fromIterable)
                    .flatMap(
                        instance -> peerUri(instance, segment, scheme),
                        config.instanceLookupConcurrency()))
        .collectList()
        .map(
            uris -> {
              List<URI> shuffled = new ArrayList<>(uris);
              Collections.shuffle(shuffled, ThreadLocalRandom.current());
              return List.copyOf(shuffled);
            });
  }

  /** The instances holding the segment ONLINE, this server excluded; empty for a 404 view. */
  Mono<List<String>> onlineInstances(SegmentId segment) {
    String table = segment.table().rawName();
    String type = segment.table().type().name();
    URI uri =
        config.controller().resolve("/tables/" + encode(table) + "/externalview?tableType=" + type);
    return getJson(uri)
        .map(
            view -> {
              JsonNode replicas = view.path(type).path(segment.segmentName());
              List<String> online = new ArrayList<>();
              for (Iterator<Map.Entry<String, JsonNode>> it = replicas.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> replica = it.next();
                if (ONLINE.equals(replica.getValue().asText())
                    && !config.selfInstanceId().map(replica.getKey()::equals).orElse(false)) {
                  online.add(replica.getKey());
                }
              }
              return online;
            })
        .defaultIfEmpty(List.of());
  }

  /**
   * Pinot's rule: peers are reached with the table's {@code
   * segmentsConfig.peerSegmentDownloadScheme} ({@code https}: the servers' admin ports speak TLS)
   * when it names one, else the configured {@link PeerDiscoveryConfig#peerScheme()}. A table config
   * that cannot be read leaves the configured scheme (logged): the view read next reports a
   * controller that is down.
   */
  Mono<String> peerScheme(SegmentId segment) {
    String type = segment.table().type().name();
    URI uri = config.controller().resolve("/tables/" + encode(segment.table().rawName()));
    return getJson(uri)
        .map(
            tables -> {
              String scheme =
                  tables
                      .path(type)
                      .path("segmentsConfig")
                      .path("peerSegmentDownloadScheme")
                      .asText("")
                      .trim()
                      .toLowerCase(java.util.Locale.ROOT);
              return scheme.equals("http") || scheme.equals("https") ? scheme : config.peerScheme();
            })
        .onErrorResume(
            SourceException.class,
            error -> {
              LOG.debug("Table config of {} not read: {}", segment.table(), error.getMessage());
              return Mono.empty();
            })
        .defaultIfEmpty(config.peerScheme());
  }

  private Mono<URI> peerUri(String instanceId, SegmentId segment, String scheme) {
    URI uri = config.controller().resolve("/instances/" + encode(instanceId));
    return getJson(uri)
        .flatMap(record -> Mono.justOrEmpty(endpoint(instanceId, record, scheme)))
        .map(
            hostPort ->
                URI.create(
                    scheme
                        + "://"
                        + hostPort
                        + "/segments/"
                        + encode(segment.table().toString())
                        + "/"
                        + encode(segment.segmentName())))
        .onErrorResume(
            SourceException.class,
            error -> {
              LOG.warn(
                  "Instance {} left out of peer discovery for {}: {}",
                  instanceId,
                  segment,
                  error.getMessage());
              return Mono.empty();
            });
  }

  /**
   * {@code host:adminPort} from an instance record, read by the one record reader ({@link
   * InstanceInfoJson}: any id, {@code hostName} first, the configured default admin port when the
   * record has none); empty, logged, when the record cannot be read.
   */
  private Optional<String> endpoint(String instanceId, JsonNode record, String scheme) {
    InstanceInfo info;
    try {
      info = InstanceInfoJson.read(record, config.defaultAdminPort());
    } catch (InvalidRequestException e) {
      LOG.warn("Instance {} has an unreadable record: not a peer ({})", instanceId, e.getMessage());
      return Optional.empty();
    }
    String host = info.host();
    String bracketed = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    // Pinot's rule: over https, the instance's adminHttpsPort when it registered one.
    int port =
        scheme.equals("https") && info.servesHttps() ? info.adminHttpsPort() : info.adminPort();
    return Optional.of(bracketed + ":" + port);
  }

  /** The body of a 2xx answer as JSON; empty for 404; a {@code SourceException} otherwise. */
  private Mono<JsonNode> getJson(URI uri) {
    return client
        .get()
        .uri(uri) // not the String overload: reactor-netty#4357 misreads one-digit ports
        .responseSingle(
            (response, body) -> {
              int status = response.status().code();
              if (status == 404) {
                return Mono.empty();
              }
              SourceException failure =
                  HttpErrors.forStatus(uri, status, response.responseHeaders());
              if (failure != null) {
                return Mono.error(failure);
              }
              return body.asByteArray().map(bytes -> parse(uri, bytes));
            })
        .onErrorMap(error -> HttpErrors.forFailure(uri, error));
  }

  private static JsonNode parse(URI uri, byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new io.segmenttransfer.core.error.SourceUnavailableException(
          uri, "unreadable JSON answer", e);
    }
  }

  private static String encode(String pathSegment) {
    return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
