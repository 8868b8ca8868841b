package io.segmenttransfer.controller.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.segmenttransfer.controller.api.Assignment;
import io.segmenttransfer.controller.api.ControllerJson;
import io.segmenttransfer.controller.api.ExternalView;
import io.segmenttransfer.controller.api.SegmentState;
import io.segmenttransfer.controller.api.SyncReport;
import io.segmenttransfer.controller.api.TableConfig;
import io.segmenttransfer.controller.api.TableConfigState;
import io.segmenttransfer.core.cluster.InstanceInfo;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SourceAccessDeniedException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import io.segmenttransfer.core.error.StateConflictException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.SegmentMetadataJson;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.segment.TableNameWithType.TableType;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.transfer.SegmentMetadataSource;
import io.segmenttransfer.http.HttpErrors;
import io.segmenttransfer.http.tls.ClientSecurity;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

/**
 * A client of the controller admin surface (docs/protocol.md) for servers and tools. The calls
 * Pinot also has (tables, v2 upload, segment list and metadata, instances, ideal state and external
 * view) use Pinot's paths and shapes and work against a real Pinot controller; the assignment long
 * poll, state reports and metadata put are this project's extensions.
 *
 * <p>Every method is lazy and sends its request per subscription. Failures are the core's
 * exceptions, mapped by transfer-http's {@link HttpErrors} like every HTTP client's, with the
 * controller's error message: 404 is {@link SourceNotFoundException}, 401/403 {@link
 * SourceAccessDeniedException}, 400 and other refusals {@link InvalidRequestException}, 408, 429,
 * 5xx and connection failures {@link SourceUnavailableException} (retryable, with the {@code
 * Retry-After} delay). No method hands out Netty buffers.
 */
public final class ControllerClient implements SegmentMetadataSource {

  /** Longest wait for an ordinary response; a long poll adds its own timeout to this. */
  public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient http;
  private final String baseUrl;
  private final Scheduler fileScheduler;

  /** A client with its own connection settings over reactor-netty's shared resources. */
  public static ControllerClient create(String baseUrl) {
    return create(baseUrl, ClientSecurity.none());
  }

  /**
   * A client with its own connection settings, {@code security}'s TLS settings and credentials.
   *
   * @throws io.segmenttransfer.core.error.InvalidRequestException when a PEM file is unusable
   */
  public static ControllerClient create(String baseUrl, ClientSecurity security) {
    return new ControllerClient(
        security.configure(HttpClient.create()), baseUrl, Schedulers.boundedElastic());
  }

  /**
   * @param http the client to send with (pools, TLS, metrics as the caller configured them)
   * @param baseUrl {@code http://host:port} of the controller
   * @param fileScheduler where archive files are read for uploads (blocking-capable)
   */
  public ControllerClient(HttpClient http, String baseUrl, Scheduler fileScheduler) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.baseUrl = base;
    this.http = http.baseUrl(base).responseTimeout(DEFAULT_RESPONSE_TIMEOUT);
    this.fileScheduler = fileScheduler;
  }

  public String baseUrl() {
    return baseUrl;
  }

  // ---------------------------------------------------------------- instances

  /**
   * Registers a server ({@code POST /instances}); emits its id {@code Server_<host>_<port>}.
   * Already registered is success (Pinot answers 409, this controller 200).
   */
  public Mono<String> register(String host, int port, int adminPort) {
    return register(host, port, adminPort, null);
  }

  /**
   * Registers a server under an explicit instance id ({@code --instance-id}); null derives Pinot's
   * {@code Server_<host>_<port>}. Completes with the id.
   */
  public Mono<String> register(String host, int port, int adminPort, @Nullable String instanceId) {
    return register(host, port, adminPort, -1, instanceId);
  }

  /**
   * The same for a server whose admin port serves HTTPS at {@code adminHttpsPort} (Pinot's key; -1
   * for none): the controller and peers then call it over https.
   */
  public Mono<String> register(
      String host, int port, int adminPort, int adminHttpsPort, @Nullable String instanceId) {
    InstanceInfo info =
        new InstanceInfo(
            instanceId, host, port, adminPort, InstanceInfo.SERVER, true, adminHttpsPort);
    ObjectNode body =
        ControllerJson.MAPPER
            .createObjectNode()
            .put("host", host)
            .put("port", port)
            .put("type", InstanceInfo.SERVER)
            .put("adminPort", adminPort);
    if (info.servesHttps()) {
      body.put("adminHttpsPort", adminHttpsPort);
    }
    if (instanceId != null) {
      body.put("instanceName", instanceId);
    }
    return exchange(
        HttpMethod.POST, "/instances", json(body), Set.of(409), text -> registered(info, text));
  }

  /**
   * Pinot answers 409 for an id already registered, which is success here; this project's
   * controller answers 409 with a {@code liveInstance} field when the id is live at another
   * endpoint, which is a refusal: another server runs under this id.
   */
  private static String registered(InstanceInfo info, String text) {
    JsonNode answer;
    try {
      answer = ControllerJson.MAPPER.readTree(text);
    } catch (IOException notJson) {
      return info.id(); // Pinot's plain-text "already registered"
    }
    if (answer != null && answer.has("liveInstance")) {
      throw new StateConflictException(null, answer.path("error").asText());
    }
    return info.id();
  }

  /** {@code GET /instances/{id}}. */
  public Mono<InstanceInfo> instance(String instanceId) {
    return exchange(
        HttpMethod.GET,
        "/instances/" + encode(instanceId),
        null,
        Set.of(),
        text -> ControllerJson.readInstance(parse(text)));
  }

  /** {@code GET /instances}: every instance id. */
  public Mono<List<String>> instances() {
    return exchange(
        HttpMethod.GET,
        "/instances",
        null,
        Set.of(),
        text -> {
          List<String> ids = new ArrayList<>();
          parse(text).path("instances").forEach(id -> ids.add(id.asText()));
          return ids;
        });
  }

  /**
   * The instance's assignment once its version differs from {@code sinceVersion}, or after {@code
   * timeout} with the same version (extension: {@code GET
   * /instances/{id}/assignment?sinceVersion=N&timeoutMs=T}). Pass -1 to get the current assignment
   * at once.
   */
  public Mono<Assignment> assignment(String instanceId, long sinceVersion, Duration timeout) {
    String path =
        "/instances/"
            + encode(instanceId)
            + "/assignment?sinceVersion="
            + sinceVersion
            + "&timeoutMs="
            + timeout.toMillis();
    return exchange(
        http.responseTimeout(DEFAULT_RESPONSE_TIMEOUT.plus(timeout)),
        HttpMethod.GET,
        path,
        null,
        Set.of(),
        text -> readAssignment(parse(text)));
  }

  /** Reports a replica's state (extension: {@code PUT /instances/{id}/segments/{t}/{s}/state}). */
  public Mono<Void> reportState(String instanceId, SegmentId segment, SegmentState state) {
    ObjectNode body = ControllerJson.MAPPER.createObjectNode().put("state", state.name());
    return exchange(
            HttpMethod.PUT, statePath(instanceId, segment), json(body), Set.of(), text -> text)
        .then();
  }

  /** Withdraws a replica from the external view (extension: {@code DELETE .../state}). */
  public Mono<Void> dropState(String instanceId, SegmentId segment) {
    return exchange(HttpMethod.DELETE, statePath(instanceId, segment), null, Set.of(), text -> text)
        .then();
  }

  /**
   * {@code DELETE /instances/{id}/session} (this project's extension): the instance is stopping;
   * its id may be registered from another endpoint at once. Its registration and assignment stay.
   */
  public Mono<Void> endSession(String instanceId) {
    return exchange(
            HttpMethod.DELETE,
            "/instances/" + encode(instanceId) + "/session",
            null,
            Set.of(),
            text -> text)
        .then();
  }

  // ---------------------------------------------------------------- tables

  /** {@code POST /tables} with the config document. */
  public Mono<Void> createTable(TableConfig config) {
    return exchange(HttpMethod.POST, "/tables", json(config.json()), Set.of(), text -> text).then();
  }

  /** {@code POST /tables} for a table with only a name, type and replication. */
  public Mono<Void> createTable(TableNameWithType table, int replication) {
    return createTable(TableConfig.of(table, replication));
  }

  /** {@code GET /tables/{name}}: the configs of the table's types that exist. */
  public Mono<Map<TableType, TableConfig>> table(String tableName) {
    return exchange(
        HttpMethod.GET,
        "/tables/" + encode(tableName),
        null,
        Set.of(),
        text -> {
          Map<TableType, TableConfig> configs = new EnumMap<>(TableType.class);
          parse(text)
              .properties()
              .forEach(
                  e -> configs.put(TableType.valueOf(e.getKey()), TableConfig.parse(e.getValue())));
          return configs;
        });
  }

  /** {@code DELETE /tables/{name}}: a raw name deletes both types. */
  public Mono<Void> deleteTable(String tableName) {
    return exchange(HttpMethod.DELETE, "/tables/" + encode(tableName), null, Set.of(), text -> text)
        .then();
  }

  /** {@code GET /tables/{name}/externalview}; 404 (not found) while nothing was reported. */
  public Mono<ExternalView> externalView(String tableName) {
    return view(tableName, "externalview");
  }

  /** {@code GET /tables/{name}/idealstate}. */
  public Mono<ExternalView> idealState(String tableName) {
    return view(tableName, "idealstate");
  }

  private Mono<ExternalView> view(String tableName, String kind) {
    return exchange(
        HttpMethod.GET,
        "/tables/" + encode(tableName) + "/" + kind,
        null,
        Set.of(),
        text -> {
          Map<TableType, Map<String, Map<String, String>>> byType = new EnumMap<>(TableType.class);
          parse(text)
              .properties()
              .forEach(
                  type -> {
                    if (type.getValue().isObject()) {
                      Map<String, Map<String, String>> segments = new LinkedHashMap<>();
                      type.getValue()
                          .properties()
                          .forEach(
                              segment -> {
                                Map<String, String> states = new HashMap<>();
                                segment
                                    .getValue()
                                    .properties()
                                    .forEach(s -> states.put(s.getKey(), s.getValue().asText()));
                                segments.put(segment.getKey(), states);
                              });
                      byType.put(TableType.valueOf(type.getKey()), segments);
                    }
                  });
          return new ExternalView(byType);
        });
  }

  // ---------------------------------------------------------------- segments

  /** {@code GET /segments/{tableNameWithType}}: the segment names of one table type. */
  public Mono<List<String>> segments(TableNameWithType table) {
    return exchange(
        HttpMethod.GET,
        "/segments/" + encode(table.toString()),
        null,
        Set.of(),
        text -> {
          List<String> names = new ArrayList<>();
          parse(text)
              .forEach(
                  entry -> entry.path(table.type().name()).forEach(n -> names.add(n.asText())));
          return names;
        });
  }

  /** {@code GET /segments/{tableNameWithType}/{segment}/metadata}. */
  public Mono<SegmentMetadata> metadata(SegmentId segment) {
    return exchange(
        HttpMethod.GET,
        segmentPath(segment) + "/metadata",
        null,
        Set.of(),
        text -> SegmentMetadataJson.parse(text, segment));
  }

  @Override
  public Mono<SegmentMetadata> fetch(SegmentId segment) {
    return metadata(segment);
  }

  /** Creates or replaces a metadata record (extension: {@code PUT /segments/{t}/{s}/metadata}). */
  public Mono<Void> putMetadata(SegmentMetadata metadata) {
    return exchange(
            HttpMethod.PUT,
            segmentPath(metadata.segment()) + "/metadata",
            json(SegmentMetadataJson.toJson(metadata, false)),
            Set.of(),
            text -> text)
        .then();
  }

  /**
   * Records the deep-store copy of a committed segment after its asynchronous upload (extension:
   * {@code PUT /segments/{tableNameWithType}/{segment}/downloadUrl} with {@code {"downloadUrl",
   * "crc"}}, the CRC as a decimal string like every CRC in the metadata). The controller refuses a
   * CRC other than the committed one.
   */
  public Mono<Void> putDownloadUrl(SegmentId segment, String downloadUrl, long crc) {
    ObjectNode body =
        ControllerJson.MAPPER
            .createObjectNode()
            .put("downloadUrl", downloadUrl)
            .put("crc", Long.toString(crc));
    return exchange(
            HttpMethod.PUT,
            segmentPath(segment) + "/downloadUrl",
            json(body),
            Set.of(),
            text -> text)
        .then();
  }

  /** {@code DELETE /segments/{tableNameWithType}/{segment}}: metadata and deep-store archive. */
  public Mono<Void> deleteSegment(SegmentId segment) {
    return exchange(HttpMethod.DELETE, segmentPath(segment), null, Set.of(), text -> text).then();
  }

  /**
   * Uploads an archive file ({@code POST /v2/segments?tableName=<raw>&tableType=<type>}, multipart
   * with one file part), streaming it from disk with a known {@code Content-Length}. Completes once
   * the controller recorded the segment; the controller names it from the archive.
   */
  public Mono<Void> uploadSegment(TableNameWithType table, Path archive) {
    return Mono.fromCallable(() -> Files.size(archive))
        .onErrorMap(
            IOException.class,
            e -> new InvalidRequestException(null, "cannot read " + archive + ": " + e, e))
        .subscribeOn(fileScheduler)
        .flatMap(
            size -> {
              String boundary = "segment-transfer-" + UUID.randomUUID();
              String fileName = archive.getFileName().toString().replace("\"", "");
              byte[] head =
                  ("--"
                          + boundary
                          + "\r\nContent-Disposition: form-data; name=\""
                          + fileName
                          + "\"; filename=\""
                          + fileName
                          + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                      .getBytes(StandardCharsets.UTF_8);
              byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
              Flux<ByteBuf> body =
                  Flux.concat(
                      Mono.fromSupplier(() -> Unpooled.wrappedBuffer(head)),
                      new LocalFileSegmentStore(fileScheduler)
                          .read(archive.toUri(), 0)
                          .map(Unpooled::wrappedBuffer),
                      Mono.fromSupplier(() -> Unpooled.wrappedBuffer(tail)));
              HttpClient client =
                  http.headers(
                      h ->
                          h.set(
                                  HttpHeaderNames.CONTENT_TYPE,
                                  "multipart/form-data; boundary=" + boundary)
                              .set(
                                  HttpHeaderNames.CONTENT_LENGTH,
                                  head.length + size + tail.length));
              String path =
                  "/v2/segments?tableName="
                      + encode(table.rawName())
                      + "&tableType="
                      + table.type();
              return exchange(client, HttpMethod.POST, path, body, Set.of(), text -> text).then();
            });
  }

  // ---------------------------------------------------------------- schemas, config hash, sync

  /** {@code POST /schemas}: adds or replaces a Pinot schema (named by its {@code schemaName}). */
  public Mono<Void> putSchema(JsonNode schema) {
    return exchange(HttpMethod.POST, "/schemas", json(schema), Set.of(), text -> text).then();
  }

  /** {@code PUT /tables/{raw name}}: replaces a table's config. */
  public Mono<Void> updateTable(TableConfig config) {
    return exchange(
            HttpMethod.PUT,
            "/tables/" + encode(config.table().rawName()),
            json(config.json()),
            Set.of(),
            text -> text)
        .then();
  }

  /** {@code GET /tables/{tableNameWithType}/configHash}: the table's hash and when it changed. */
  public Mono<TableConfigState> tableConfigState(TableNameWithType table) {
    return exchange(
        HttpMethod.GET,
        "/tables/" + encode(table.toString()) + "/configHash",
        null,
        Set.of(),
        text -> TableConfigState.parse(parse(text)));
  }

  /**
   * {@code POST /tasks/DeepStoreSync/run?tableName=T&wait=false&<options>}: starts a run and emits
   * its first report (status {@code RUNNING}, or {@code FINISHED} for a run that had nothing to
   * do); follow it with {@link #syncRun}. A run in progress for the table fails the call with the
   * controller's message naming its id.
   *
   * @param options further query parameters: {@code reloadOnly}, {@code forceReload}, {@code
   *     processor}, {@code codec}, {@code level}, {@code command}, {@code parallelism}, {@code
   *     timeoutSeconds}
   */
  public Mono<SyncReport> startSync(TableNameWithType table, Map<String, String> options) {
    return startSync(table.toString(), options);
  }

  /** The same for a table named raw ({@code events}: the one type it has) or with its type. */
  public Mono<SyncReport> startSync(String tableName, Map<String, String> options) {
    StringBuilder path =
        new StringBuilder("/tasks/DeepStoreSync/run?wait=false&tableName=")
            .append(encode(tableName));
    options.forEach(
        (key, value) -> path.append('&').append(encode(key)).append('=').append(encode(value)));
    return exchange(
        HttpMethod.POST, path.toString(), null, Set.of(), text -> SyncReport.parse(parse(text)));
  }

  /** {@code GET /tasks/DeepStoreSync/runs/{id}}: a run in progress or finished. */
  public Mono<SyncReport> syncRun(String runId) {
    return exchange(
        HttpMethod.GET,
        "/tasks/DeepStoreSync/runs/" + encode(runId),
        null,
        Set.of(),
        text -> SyncReport.parse(parse(text)));
  }

  /** {@code DELETE /tasks/DeepStoreSync/runs/{id}}: cancels a run; emits its report. */
  public Mono<SyncReport> cancelSync(String runId) {
    return exchange(
        HttpMethod.DELETE,
        "/tasks/DeepStoreSync/runs/" + encode(runId),
        null,
        Set.of(),
        text -> SyncReport.parse(parse(text)));
  }

  // ---------------------------------------------------------------- plumbing

  private Mono<String> json(JsonNode body) {
    return Mono.fromCallable(() -> ControllerJson.MAPPER.writeValueAsString(body));
  }

  private <T> Mono<T> exchange(
      HttpMethod method,
      String path,
      Publisher<?> body,
      Set<Integer> alsoOk,
      Function<String, T> parse) {
    return exchange(http, method, path, body, alsoOk, parse);
  }

  /**
   * Sends one request and maps the answer: 2xx (or a status in {@code alsoOk}) through {@code
   * parse}, anything else, and failures of the exchange, through {@link HttpErrors}.
   */
  private <T> Mono<T> exchange(
      HttpClient client,
      HttpMethod method,
      String path,
      Publisher<?> body,
      Set<Integer> alsoOk,
      Function<String, T> parse) {
    // An absolute URI, not the String overload: reactor-netty#4357 reads a one-digit port as part
    // of the host.
    URI uri = URI.create(baseUrl + path);
    HttpClient.ResponseReceiver<?> sending;
    if (body == null) {
      sending = client.request(method).uri(uri);
    } else if (body instanceof Mono<?> mono) {
      // A Mono body is a JSON document (see json()); archives come as a Flux of buffers.
      sending =
          client
              .headers(h -> h.set(HttpHeaderNames.CONTENT_TYPE, "application/json"))
              .request(method)
              .uri(uri)
              .send(ByteBufFlux.fromString(mono.cast(String.class)));
    } else {
      @SuppressWarnings("unchecked")
      Publisher<ByteBuf> buffers = (Publisher<ByteBuf>) body;
      sending = client.request(method).uri(uri).send(buffers);
    }
    return sending
        .responseSingle(
            (response, content) ->
                HttpErrors.answerText(uri, response, content, alsoOk)
                    .flatMap(text -> Mono.justOrEmpty(parse.apply(text))))
        .onErrorMap(e -> HttpErrors.forFailure(uri, e));
  }

  private static JsonNode parse(String text) {
    try {
      return ControllerJson.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new InvalidRequestException(
          null, "controller answered malformed JSON: " + e.getMessage(), e);
    }
  }

  private static Assignment readAssignment(JsonNode node) {
    List<SegmentMetadata> segments = new ArrayList<>();
    for (JsonNode entry : node.path("segments")) {
      SegmentId id =
          SegmentId.of(
              entry.path(ControllerJson.TABLE_NAME_WITH_TYPE).asText(),
              entry.path(ControllerJson.SEGMENT_NAME).asText());
      segments.add(SegmentMetadataJson.parse(entry.path("metadata").toString(), id));
    }
    return new Assignment(node.path("version").asLong(), segments);
  }

  private static String statePath(String instanceId, SegmentId segment) {
    return "/instances/"
        + encode(instanceId)
        + "/segments/"
        + encode(segment.table().toString())
        + "/"
        + encode(segment.segmentName())
        + "/state";
  }

  private static String segmentPath(SegmentId segment) {
    return "/segments/" + encode(segment.table().toString()) + "/" + encode(segment.segmentName());
  }

  private static String encode(String pathSegment) {
    return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
