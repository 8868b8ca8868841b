package io.segmenttransfer.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.http.HttpUrls;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

/**
 * {@code commit}: asks a running server to commit a segment it built ({@code POST
 * /segments/{t}/{s}/commit}) and prints the controller's decision. Exit 0 when the segment is
 * committed (COMMIT_SUCCESS) or the local copy is the committed one (KEEP), 1 otherwise, 2 for bad
 * flags.
 */
@Command(
    name = "commit",
    mixinStandardHelpOptions = true,
    header = "Commits a segment built on a server's machine through that server.",
    description =
        "Commits a segment built on a server's machine through that server: it installs the segment, runs Pinot's completion protocol with the controller and uploads the archive in the background.")
final class CommitCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(
      names = "--server",
      required = true,
      paramLabel = "URL",
      description = "The server's admin URL, e.g. http://127.0.0.1:8097.")
  String serverUrl;

  @Option(
      names = "--table",
      required = true,
      paramLabel = "TABLE",
      description = "Table name with type, e.g. events_REALTIME.")
  String table;

  @Option(
      names = "--segment-dir",
      required = true,
      paramLabel = "DIR",
      description =
          "The segment's directory on the server's machine; its name is the segment name.")
  Path segmentDir;

  @Option(
      names = "--offset",
      paramLabel = "N",
      description =
          "The stream offset the segment ends at. Default: its metadata's segment.realtime.endOffset, else 0.")
  String offset;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "PT5M",
      converter = HttpOptions.DurationConverter.class,
      description =
          "Longest wait for the server's answer (it answers within its commitDeadline). Default: ${DEFAULT-VALUE}.")
  Duration timeout;

  @picocli.CommandLine.Mixin ClientSecurityOptions security;

  @Option(names = "--json", description = "Print the server's answer as one JSON object.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    URI server = HttpUrls.parse("--server", serverUrl);
    Path dir = segmentDir.toAbsolutePath().normalize();
    // Validates both names before anything is sent (a bad one is exit 2).
    SegmentId segment =
        SegmentId.of(table, dir.getFileName() == null ? "" : dir.getFileName().toString());
    ObjectNode body = JSON.createObjectNode().put("segmentDir", dir.toString());
    if (offset != null) {
      body.put("offset", offset);
    }
    String base =
        server.toString().endsWith("/")
            ? server.toString().substring(0, server.toString().length() - 1)
            : server.toString();
    String url =
        base
            + "/segments/"
            + encode(segment.table().toString())
            + "/"
            + encode(segment.segmentName())
            + "/commit";
    Answer answer =
        security
            .toClientSecurity()
            .configure(HttpClient.create())
            .responseTimeout(timeout)
            .headers(h -> h.set("Content-Type", "application/json"))
            .post()
            .uri(url)
            .send(ByteBufFlux.fromString(Mono.just(body.toString())))
            .responseSingle(
                (response, content) ->
                    content
                        .asString(StandardCharsets.UTF_8)
                        .defaultIfEmpty("")
                        .map(text -> new Answer(response.status().code(), text)))
            .block(timeout.plusSeconds(5));
    JsonNode reply = parse(answer.body());
    String status = reply.path("status").asText("");
    var out = spec.commandLine().getOut();
    if (json) {
      out.println(
          reply.isObject()
              ? reply.toString()
              : JSON.createObjectNode()
                  .put("httpStatus", answer.status())
                  .put("body", answer.body())
                  .toString());
    } else if (!status.isEmpty()) {
      out.println(
          status
              + " "
              + segment
              + " crc="
              + reply.path("crc").asText("")
              + " downloadUrl="
              + reply.path("downloadUrl").asText("")
              + (reply.has("error") ? " error=" + reply.path("error").asText() : ""));
    } else {
      out.println(
          "error: server answered "
              + answer.status()
              + ": "
              + reply.path("error").asText(answer.body()));
    }
    out.flush();
    return answer.status() == 200 && (status.equals("COMMIT_SUCCESS") || status.equals("KEEP"))
        ? 0
        : Main.EXIT_FAILED;
  }

  private record Answer(int status, String body) {}

  private static JsonNode parse(String text) {
    try {
      return JSON.readTree(text.isEmpty() ? "{}" : text);
    } catch (Exception e) {
      return JSON.createObjectNode();
    }
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
