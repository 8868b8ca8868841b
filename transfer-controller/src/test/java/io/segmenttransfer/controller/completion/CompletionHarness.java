package io.segmenttransfer.controller.completion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpMethod;
import io.segmenttransfer.controller.ControllerConfig;
import io.segmenttransfer.controller.EmbeddedController;
import io.segmenttransfer.controller.api.CompletionRequest;
import io.segmenttransfer.controller.api.CompletionResponse;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.store.LocalFileSegmentStore;
import io.segmenttransfer.core.store.ObjectInfo;
import io.segmenttransfer.core.testing.ForwardingSegmentStore;
import io.segmenttransfer.core.testing.PinotFixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

/**
 * A real controller on port 0 driven over HTTP the way a Pinot server drives it: the completion
 * messages' exact query strings ({@link CompletionRequest#toQuery}), hand-built multipart bodies as
 * Pinot's {@code FileUploadDownloadClient} sends them, a clock the test moves, and a deep store
 * that counts every operation.
 */
final class CompletionHarness implements AutoCloseable {

  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final ObjectMapper JSON = new ObjectMapper();
  static final String RAW = "events";
  static final TableNameWithType TABLE = TableNameWithType.parse("events_REALTIME");
  static final String BOUNDARY = "pinot-commit-3f9a";

  /** A clock only the test moves. */
  static final class TestClock extends Clock {
    private final AtomicLong millis = new AtomicLong(1_765_000_000_000L);

    void advance(Duration by) {
      millis.addAndGet(by.toMillis());
    }

    @Override
    public long millis() {
      return millis.get();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  /** The controller's file deep store, counting what it is asked to do. */
  static final class CountingStore extends ForwardingSegmentStore {
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger others = new AtomicInteger();

    CountingStore() {
      super(new LocalFileSegmentStore(Schedulers.boundedElastic()));
    }

    @Override
    public Flux<ByteBuffer> read(URI uri, long offset) {
      reads.incrementAndGet();
      return super.read(uri, offset);
    }

    @Override
    public Flux<ByteBuffer> read(URI uri, long offset, String version) {
      reads.incrementAndGet();
      return delegate.read(uri, offset, version);
    }

    @Override
    public Mono<ObjectInfo> stat(URI uri) {
      others.incrementAndGet();
      return super.stat(uri);
    }

    @Override
    public Mono<Boolean> exists(URI uri) {
      others.incrementAndGet();
      return delegate.exists(uri);
    }

    @Override
    public Mono<Void> write(URI uri, Flux<ByteBuffer> content) {
      writes.incrementAndGet();
      return super.write(uri, content);
    }

    @Override
    public Mono<Void> delete(URI uri) {
      others.incrementAndGet();
      return super.delete(uri);
    }

    int total() {
      return reads.get() + writes.get() + others.get();
    }
  }

  record Reply(int status, byte[] body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError(
            "not JSON (" + status + "): " + new String(body, StandardCharsets.UTF_8), e);
      }
    }

    CompletionResponse completion() {
      if (status != 200) {
        throw new AssertionError(
            "completion call answered " + status + ": " + new String(body, StandardCharsets.UTF_8));
      }
      return CompletionResponse.fromJson(json());
    }
  }

  final Path dir;
  final TestClock clock = new TestClock();
  final CountingStore store = new CountingStore();
  final CompletionConfig config;
  EmbeddedController controller;
  int port;

  CompletionHarness(Path dir, CompletionConfig config) {
    this.dir = dir;
    this.config = config;
    start(0);
  }

  /**
   * A controller over {@code dir}, with a realtime table of {@code replication} and that many
   * servers registered.
   */
  static CompletionHarness withTable(Path dir, int replication) {
    CompletionHarness harness = new CompletionHarness(dir, CompletionConfig.defaults());
    harness.client().createTable(TABLE, replication).block(TIMEOUT);
    for (int i = 1; i <= replication; i++) {
      // Registered, but nothing listens on these ports: the controller never calls a server.
      harness.client().register("server" + i, 8098, 1).block(TIMEOUT);
    }
    return harness;
  }

  static String server(int i) {
    return "Server_server" + i + "_8098";
  }

  private void start(int onPort) {
    controller =
        EmbeddedController.create(
                ControllerConfig.defaults(dir).withPort(onPort), List.of(store), config, clock)
            .block(TIMEOUT);
    port = controller.port();
  }

  /** Stops and starts a new controller over the same directory: only what is durable survives. */
  void restart() {
    controller.close();
    start(0);
  }

  ControllerClient client() {
    return ControllerClient.create(controller.baseUrl());
  }

  Reply call(HttpMethod method, String pathAndQuery, byte[] body, Map<String, String> headers) {
    HttpClient client =
        HttpClient.newConnection()
            .baseUrl(controller.baseUrl())
            .headers(h -> headers.forEach(h::set));
    HttpClient.ResponseReceiver<?> request =
        body == null
            ? client.request(method).uri(pathAndQuery)
            : client
                .request(method)
                .uri(pathAndQuery)
                .send(ByteBufFlux.fromInbound(Mono.just(body)));
    return request
        .responseSingle(
            (response, content) ->
                content
                    .asByteArray()
                    .defaultIfEmpty(new byte[0])
                    .map(bytes -> new Reply(response.status().code(), bytes)))
        .block(TIMEOUT);
  }

  /** A GET message (segmentConsumed, segmentCommitStart, ...) with Pinot's query string. */
  CompletionResponse get(String call, CompletionRequest request) {
    return call(HttpMethod.GET, "/" + call + "?" + request.toQuery(), null, Map.of()).completion();
  }

  Reply post(String call, CompletionRequest request, byte[] multipart) {
    return call(
        HttpMethod.POST,
        "/" + call + "?" + request.toQuery(),
        multipart,
        Map.of("Content-Type", "multipart/form-data; boundary=" + BOUNDARY));
  }

  CompletionResponse commitEndWithMetadata(
      CompletionRequest request, byte[] metadataProperties, byte[] creationMeta) {
    Map<String, byte[]> parts = new LinkedHashMap<>();
    parts.put("metadata.properties", metadataProperties);
    parts.put("creation.meta", creationMeta);
    return post("segmentCommitEndWithMetadata", request, multipart(parts)).completion();
  }

  JsonNode metadata(String segment) {
    Reply reply =
        call(HttpMethod.GET, "/segments/" + TABLE + "/" + segment + "/metadata", null, Map.of());
    return reply.status() == 404 ? null : reply.json();
  }

  /** The REALTIME ideal state's entry for a segment: instance ids in order, or null when absent. */
  List<String> idealState(String segment) {
    JsonNode realtime =
        call(HttpMethod.GET, "/tables/" + RAW + "/idealstate", null, Map.of())
            .json()
            .path("REALTIME");
    JsonNode holders = realtime.get(segment);
    if (holders == null) {
      return null;
    }
    List<String> ids = new java.util.ArrayList<>();
    holders.fieldNames().forEachRemaining(ids::add);
    return ids;
  }

  /** A multipart/form-data body of file parts, as Pinot's FileUploadDownloadClient builds it. */
  static byte[] multipart(Map<String, byte[]> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    parts.forEach(
        (name, bytes) -> {
          out.writeBytes(
              ("--"
                      + BOUNDARY
                      + "\r\nContent-Disposition: form-data; name=\""
                      + name
                      + "\"; filename=\""
                      + name
                      + "\"\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
          out.writeBytes(bytes);
          out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        });
    out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
    return out.toByteArray();
  }

  /**
   * A Pinot 1.5.0 fixture segment's files (paths under the segment directory), read out of its
   * tar.gz.
   */
  static Map<String, byte[]> fixtureFiles() {
    PinotFixtures.Archive archive = PinotFixtures.archive("tar.gz");
    Map<String, byte[]> files = new TreeMap<>();
    try (InputStream in =
        new TarArchiveInputStream(new GZIPInputStream(Files.newInputStream(archive.file())))) {
      TarArchiveInputStream tar = (TarArchiveInputStream) in;
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        if (entry.isFile()) {
          files.put(
              entry.getName().substring(entry.getName().indexOf('/') + 1), tar.readAllBytes());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  static long fixtureCrc() {
    return PinotFixtures.archive("tar.gz").crc();
  }

  @Override
  public void close() {
    controller.close();
  }
}
