package io.segmenttransfer.controller;

import static io.segmenttransfer.controller.ControllerTestSupport.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpMethod;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.http.auth.AuthMatrix;
import io.segmenttransfer.http.auth.AuthTransport;
import io.segmenttransfer.http.auth.ControllerRoutePermissions;
import io.segmenttransfer.http.auth.Permission;
import io.segmenttransfer.http.tls.ClientSecurity;
import io.segmenttransfer.http.tls.SecuritySettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * A controller with an auth file: every route of {@link ControllerRoutePermissions} against every
 * kind of caller ({@link AuthMatrix}), on a controller that holds a table, a schema, a segment and
 * an instance, so "exists" and "does not exist" are both real; over plain HTTP, TLS and mutual TLS
 * ({@link AuthTransport}), one listener each, every route and caller on all three (about 500
 * requests each, a new connection apiece: some seconds over TLS).
 */
class ControllerAuthTest {

  @TempDir Path dir;

  @ParameterizedTest(name = "over {0}")
  @FieldSource("io.segmenttransfer.http.auth.AuthTransport#NAMES")
  void everyRouteRefusesWhoItMustAndTheSameWayWhateverExists(String over) throws Exception {
    AuthTransport transport = AuthTransport.named(over, dir);
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.gz");
    String instance;
    // The cluster is set up open (the typed client sends no credentials), then reopened secured.
    try (EmbeddedController open =
        EmbeddedController.start(ControllerConfig.defaults(dir).withPort(0))) {
      ControllerClient client = ControllerClient.create(open.baseUrl());
      TableNameWithType table = TableNameWithType.parse(PinotFixtures.TABLE);
      client.createTable(table, 1).block(TIMEOUT);
      client
          .putSchema(
              new ObjectMapper().readTree("{\"schemaName\":\"events\",\"dimensionFieldSpecs\":[]}"))
          .block(TIMEOUT);
      client.uploadSegment(table, fixture.file()).block(TIMEOUT);
      instance = client.register("127.0.0.1", 1, 1).block(TIMEOUT);
    }
    AuthMatrix matrix = new AuthMatrix(transport.client());
    Path authFile = matrix.writeAuthFile(dir);

    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(new TeeStream(captured, stderr), true, StandardCharsets.UTF_8));
    try (EmbeddedController secured =
        EmbeddedController.start(
            ControllerConfig.defaults(dir)
                .withPort(0)
                .withAuthFile(authFile)
                .withSecurity(new SecuritySettings(transport.listener(), ClientSecurity.none())))) {
      assertThat(secured.baseUrl()).startsWith(over.equals("plain") ? "http:" : "https:");
      var faults =
          matrix.run(
              secured.baseUrl(),
              ControllerRoutePermissions.TABLE,
              Map.of(
                  "tableName",
                  "events",
                  "tableNameWithType",
                  PinotFixtures.TABLE,
                  "segmentName",
                  fixture.segmentName(),
                  "name",
                  "events",
                  "id",
                  instance),
              Map.of(
                  "tableName", "nosuch",
                  "tableNameWithType", "nosuch_OFFLINE",
                  "segmentName", "nosuch_0",
                  "name", "nosuch",
                  "id", "Server_nosuch_1"),
              Map.of(
                  "POST /tasks/DeepStoreSync/run", "?tableName=nosuch&wait=false",
                  "GET /periodictask/run", "?taskname=nosuch"));
      assertThat(faults).isEmpty();
      // Every rule was exercised, 11 requests each but the open ones (none on the controller).
      assertThat(matrix.calls()).hasSize(11 * ControllerRoutePermissions.TABLE.rules().size());

      // The right principal gets the route's real answer for what exists.
      var read = matrix.credentialsFor(Permission.READ);
      var segment =
          ControllerTestSupport.call(
              matrix.client(),
              secured.baseUrl(),
              HttpMethod.GET,
              "/segments/events/" + fixture.segmentName(),
              null,
              Map.of("Authorization", read));
      assertThat(segment.status()).isEqualTo(200);
      assertThat(segment.body()).isEqualTo(PinotFixtures.bytes(fixture));
      var tables =
          ControllerTestSupport.call(
              matrix.client(),
              secured.baseUrl(),
              HttpMethod.GET,
              "/tables",
              null,
              Map.of("Authorization", read));
      assertThat(tables.text()).contains("events");
      var deleted =
          ControllerTestSupport.call(
              matrix.client(),
              secured.baseUrl(),
              HttpMethod.DELETE,
              "/segments/events/" + fixture.segmentName(),
              null,
              Map.of("Authorization", matrix.credentialsFor(Permission.ADMIN)));
      assertThat(deleted.status()).isEqualTo(200);
    } finally {
      System.setErr(stderr);
    }
    String logged = captured.toString(StandardCharsets.UTF_8);
    String answers = matrix.calls().toString();
    for (String secret : matrix.secrets()) {
      assertThat(logged).doesNotContain(secret);
      // Bodies of refusals never echo the credentials sent.
      assertThat(answers).doesNotContain(secret);
    }
  }

  @Test
  void aBadAuthFileFailsTheStartNamingIt() throws Exception {
    Path authFile =
        Files.writeString(
            dir.resolve("auth.yml"),
            "principals:\n  - name: ops\n    token-sha256: abc\n    permissions: [admin]\n");
    assertThatThrownBy(
            () ->
                EmbeddedController.start(
                    ControllerConfig.defaults(dir).withPort(0).withAuthFile(authFile)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("auth file " + authFile + ": principal 'ops'");
    // Nothing was left listening or locked: an open controller starts on the same directory.
    EmbeddedController.start(ControllerConfig.defaults(dir).withPort(0)).close();
  }

  /** Writes to both streams: the captured copy, and the console as before. */
  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream first;
    private final java.io.OutputStream second;

    TeeStream(java.io.OutputStream first, java.io.OutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public synchronized void write(int b) throws java.io.IOException {
      first.write(b);
      second.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws java.io.IOException {
      first.write(b, off, len);
      second.write(b, off, len);
    }
  }
}
