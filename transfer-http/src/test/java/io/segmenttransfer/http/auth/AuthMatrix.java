package io.segmenttransfer.http.auth;

import io.netty.handler.codec.http.HttpMethod;
import io.segmenttransfer.http.tls.ClientSecurity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

/**
 * Every route of a surface against every kind of caller: anonymous, a wrong password, an unknown
 * token (401), a principal without the route's permission (403), and one with it (the route's own
 * answer). The routes come from the surface's {@link RoutePermissions}; the surface refuses to
 * start with a route the table does not list, so together no route is left out.
 *
 * <p>The principals of {@link #writeAuthFile} each hold exactly one permission, with secrets made
 * for this run, which {@link #secrets} lists so a test can look for them in everything that was
 * printed.
 */
public final class AuthMatrix {

  static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern NAME = Pattern.compile("\\{([^/]+?)}");

  /** The secrets of this run's principals; a test must never find them in any output. */
  public final String adminPassword = "admin-" + TokenHashes.newToken().substring(0, 20);

  public final String serverToken = TokenHashes.newToken();
  public final String readToken = TokenHashes.newToken();

  /** One request and its answer, for the report. */
  public record Call(String who, HttpMethod method, String uri, int status, String body) {
    @Override
    public String toString() {
      return who + " " + method + " " + uri + " -> " + status + " " + body;
    }
  }

  private final List<Call> calls = new ArrayList<>();

  /** Every call's client: no pooling (a refusal closes its connection), the transport's TLS. */
  private final HttpClient transport;

  /** Over plain HTTP. */
  public AuthMatrix() {
    this(ClientSecurity.none());
  }

  /**
   * Over {@code transport}'s TLS settings (trust, client certificate); credentials are the matrix's
   * own, per call.
   */
  public AuthMatrix(ClientSecurity transport) {
    this.transport = transport.configure(HttpClient.newConnection());
  }

  /** The client every call goes through, for a test's own requests over the same transport. */
  public HttpClient client() {
    return transport;
  }

  /**
   * Writes an auth file with {@code ops} (password, admin), {@code server-1} (token, server) and
   * {@code reader} (token, read).
   */
  public Path writeAuthFile(Path dir) throws IOException {
    return Files.writeString(
        dir.resolve("auth.yml"),
        """
        principals:
          - name: ops
            password-hash: "%s"
            permissions: [admin]
          - name: server-1
            token-sha256: %s
            permissions: [server]
          - name: reader
            token-sha256: %s
            permissions: [read]
        """
            .formatted(
                PasswordHashes.hash(adminPassword.toCharArray(), PasswordHashes.MIN_COST),
                TokenHashes.sha256Hex(serverToken),
                TokenHashes.sha256Hex(readToken)));
  }

  /** Every secret of this run, and its hash: none may appear in any output. */
  public List<String> secrets() {
    return List.of(
        adminPassword,
        serverToken,
        readToken,
        TokenHashes.sha256Hex(serverToken),
        TokenHashes.sha256Hex(readToken),
        Base64.getEncoder()
            .encodeToString(("ops:" + adminPassword).getBytes(StandardCharsets.UTF_8)));
  }

  /** The {@code Authorization} header of the principal holding exactly {@code permission}. */
  public String credentialsFor(Permission permission) {
    return switch (permission) {
      case ADMIN -> basic("ops", adminPassword);
      case SERVER -> "Bearer " + serverToken;
      case READ -> "Bearer " + readToken;
    };
  }

  /**
   * Runs the matrix against {@code baseUrl} and returns what went wrong, one line each (empty when
   * everything held).
   *
   * @param existing a value for every path parameter naming something that exists ({@code tableName
   *     → events})
   * @param missing the same names for things that do not exist
   */
  public List<String> run(
      String baseUrl,
      RoutePermissions table,
      Map<String, String> existing,
      Map<String, String> missing) {
    return run(baseUrl, table, existing, missing, Map.of());
  }

  /**
   * The same, with a query string for the allowed call of some routes ({@code "POST /x/run" →
   * "?tableName=nosuch"}), where the route without one would act on everything.
   */
  public List<String> run(
      String baseUrl,
      RoutePermissions table,
      Map<String, String> existing,
      Map<String, String> missing,
      Map<String, String> allowedQueries) {
    List<String> faults = new ArrayList<>();
    for (RouteRule rule : table.rules()) {
      String there = fill(rule.template(), existing);
      String absent = fill(rule.template(), missing);
      if (rule.isOpen()) {
        Call open = call(baseUrl, "anonymous", rule.method(), there, null);
        if (open.status() == 401 || open.status() == 403) {
          faults.add("open route refused: " + open);
        }
        continue;
      }
      Permission needed = rule.permission();
      Permission other = needed == Permission.READ ? Permission.ADMIN : Permission.READ;
      String[][] unauthenticated = {
        {"anonymous", null},
        {"wrong password", basic("ops", adminPassword + "x")},
        {"unknown token", "Bearer " + TokenHashes.newToken()},
        {"token as password", basic("server-1", serverToken)},
      };
      for (String[] caller : unauthenticated) {
        expectSame(
            faults,
            401,
            call(baseUrl, caller[0], rule.method(), there, caller[1]),
            call(baseUrl, caller[0], rule.method(), absent, caller[1]));
      }
      expectSame(
          faults,
          403,
          call(
              baseUrl, "without " + needed.fileName(), rule.method(), there, credentialsFor(other)),
          call(
              baseUrl,
              "without " + needed.fileName(),
              rule.method(),
              absent,
              credentialsFor(other)));
      // With the permission: whatever the route answers for something that does not exist (the
      // one request safe on every route: nothing is deleted, pushed or started), but never a
      // refusal of access control.
      Call allowed =
          call(
              baseUrl,
              needed.fileName(),
              rule.method(),
              absent + allowedQueries.getOrDefault(rule.route(), ""),
              credentialsFor(needed));
      if (allowed.status() == 401 || allowed.status() == 403 || allowed.status() == 503) {
        faults.add("right permission refused: " + allowed);
      }
    }
    return faults;
  }

  /** Every request made and its answer. */
  public List<Call> calls() {
    return List.copyOf(calls);
  }

  private static void expectSame(List<String> faults, int status, Call there, Call absent) {
    if (there.status() != status) {
      faults.add("expected " + status + ": " + there);
    }
    if (there.status() != absent.status() || !there.body().equals(absent.body())) {
      faults.add("answers differ for what exists and what does not: " + there + " / " + absent);
    }
  }

  /** The template with each {@code {name}} replaced by its value. */
  static String fill(String template, Map<String, String> values) {
    Matcher names = NAME.matcher(template);
    StringBuilder uri = new StringBuilder();
    while (names.find()) {
      String value = values.get(names.group(1));
      if (value == null) {
        throw new IllegalArgumentException("no value for {" + names.group(1) + "} in " + template);
      }
      names.appendReplacement(uri, Matcher.quoteReplacement(value));
    }
    names.appendTail(uri);
    return uri.toString();
  }

  private Call call(
      String baseUrl, String who, HttpMethod method, String uri, String authorization) {
    // A fresh connection per call: a refusal closes its connection.
    HttpClient client =
        transport
            .baseUrl(baseUrl)
            .headers(
                h -> {
                  if (authorization != null) {
                    h.set("Authorization", authorization);
                  }
                });
    HttpClient.ResponseReceiver<?> request =
        method.equals(HttpMethod.POST) || method.equals(HttpMethod.PUT)
            ? client.request(method).uri(uri).send(ByteBufFlux.fromString(Mono.just("{}")))
            : client.request(method).uri(uri);
    Call call =
        request
            .responseSingle(
                (response, body) ->
                    body.asString()
                        .defaultIfEmpty("")
                        .map(text -> new Call(who, method, uri, response.status().code(), text)))
            .onErrorMap(e -> new AssertionError(who + " " + method + " " + uri + ": " + e, e))
            .block(TIMEOUT);
    calls.add(call);
    return call;
  }

  static String basic(String name, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((name + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
