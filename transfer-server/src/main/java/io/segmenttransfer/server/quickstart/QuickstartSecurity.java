package io.segmenttransfer.server.quickstart;

import io.segmenttransfer.http.auth.TokenHashes;
import io.segmenttransfer.http.tls.CertificateAuthority;
import io.segmenttransfer.http.tls.ClientCredentials;
import io.segmenttransfer.http.tls.ClientSecurity;
import io.segmenttransfer.http.tls.SecuritySettings;
import io.segmenttransfer.http.tls.ServerTlsConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The quickstart's security: none (the open cluster, as before), or, with {@code --secure}, what a
 * secured cluster has, made at start in {@code <work>/security}:
 *
 * <ul>
 *   <li>a CA made for this run ({@code ca.crt}; its key never leaves memory) and the certificates
 *       it signs for the controller, each server and the quickstart's own clients, for {@code
 *       127.0.0.1} and {@code localhost};
 *   <li>HTTPS on every listener; the servers require client certificates signed by that CA (mutual
 *       TLS: only the cluster fetches their segments), the controller does not (so an operator can
 *       reach it with a token and {@code curl --cacert});
 *   <li>an auth file ({@code auth.yml}) with three principals holding random tokens, stored as
 *       their SHA-256: {@code admin} [admin, read] for the quickstart's own steps, {@code server}
 *       [server, read] for the servers towards the controller and each other, and for the
 *       controller towards the servers, and {@code reader} [read] for the bootstraps.
 * </ul>
 *
 * <p>The tokens exist in memory and in the one block {@link #credentialsBlock} returns for the
 * quickstart to print once; nothing else shows or logs them ({@link ClientCredentials} hides them
 * in {@code toString}).
 */
public final class QuickstartSecurity {

  /** Long enough for any quickstart run; the files are throw-away. */
  private static final Duration VALIDITY = Duration.ofDays(1);

  private static final String[] NAMES = {"127.0.0.1", "localhost"};

  private static final QuickstartSecurity OPEN = new QuickstartSecurity(null, null, null, null);

  private final @Nullable Path dir;
  private final @Nullable CertificateAuthority ca;
  private final @Nullable Path authFile;
  private final @Nullable Tokens tokens;

  /** The three principals' tokens. */
  private record Tokens(String admin, String server, String reader) {}

  private QuickstartSecurity(
      @Nullable Path dir,
      @Nullable CertificateAuthority ca,
      @Nullable Path authFile,
      @Nullable Tokens tokens) {
    this.dir = dir;
    this.ca = ca;
    this.authFile = authFile;
    this.tokens = tokens;
  }

  /** Plain HTTP, no credentials: the open quickstart. */
  public static QuickstartSecurity open() {
    return OPEN;
  }

  /**
   * Makes the CA, the shared certificates and the auth file in {@code dir} (created; blocking file
   * writes).
   */
  public static QuickstartSecurity generate(Path dir) throws IOException {
    Files.createDirectories(dir);
    CertificateAuthority ca =
        CertificateAuthority.create(dir, "ca", "segment-transfer quickstart CA", VALIDITY);
    ca.issue(dir, "controller", "controller", VALIDITY, NAMES);
    ca.issue(dir, "client", "quickstart", VALIDITY, NAMES);
    Tokens tokens =
        new Tokens(TokenHashes.newToken(), TokenHashes.newToken(), TokenHashes.newToken());
    Path authFile =
        Files.writeString(
            dir.resolve("auth.yml"),
            """
            # quickstart --secure: the tokens' SHA-256 only (segment-transfer.jar hash-token)
            principals:
              - name: admin
                token-sha256: %s
                permissions: [admin, read]
              - name: server
                token-sha256: %s
                permissions: [server, read]
              - name: reader
                token-sha256: %s
                permissions: [read]
            """
                .formatted(
                    TokenHashes.sha256Hex(tokens.admin()),
                    TokenHashes.sha256Hex(tokens.server()),
                    TokenHashes.sha256Hex(tokens.reader())));
    return new QuickstartSecurity(dir, ca, authFile, tokens);
  }

  public boolean secured() {
    return ca != null;
  }

  /** {@code https} when secured, else {@code http}: listeners and the tables' peer scheme. */
  public String scheme() {
    return secured() ? "https" : "http";
  }

  /** The auth file the controller and the servers check requests against; null when open. */
  public @Nullable Path authFile() {
    return authFile;
  }

  /**
   * The controller: HTTPS without client certificates; towards the servers (deep-store repair,
   * staleness) the {@code server} principal with the controller's certificate.
   */
  public SecuritySettings controller() {
    if (!secured()) {
      return SecuritySettings.none();
    }
    return new SecuritySettings(
        Optional.of(ServerTlsConfig.pem(file("controller.crt"), file("controller.key"))),
        client("controller", tokens().server()));
  }

  /**
   * Server {@code name}: HTTPS with mutual TLS, its own certificate (issued now, {@code
   * <name>.crt}), and the {@code server} principal towards the controller and its peers.
   */
  public SecuritySettings server(String name) {
    if (!secured()) {
      return SecuritySettings.none();
    }
    authority().issue(dir(), name, name, VALIDITY, NAMES);
    return new SecuritySettings(
        Optional.of(
            ServerTlsConfig.pem(file(name + ".crt"), file(name + ".key"))
                .withClientCa(authority().certificate())),
        client(name, tokens().server()));
  }

  /** The quickstart's own steps: tables, uploads, the commit request, the repair run. */
  public ClientSecurity admin() {
    return secured() ? client("client", tokens().admin()) : ClientSecurity.none();
  }

  /** The bootstraps: metadata and segment downloads, from the controller and from peers. */
  public ClientSecurity reader() {
    return secured() ? client("client", tokens().reader()) : ClientSecurity.none();
  }

  /**
   * What the quickstart prints once, before anything starts: where the files are, and the tokens in
   * a form a shell takes as it is ({@code export NAME=token}); empty when open.
   */
  public String credentialsBlock(Path work) {
    if (!secured()) {
      return "";
    }
    return String.format(
        "[0] secured: HTTPS everywhere with certificates of a CA made for this run, mutual TLS to the servers,%n"
            + "    auth on (%s: the tokens' SHA-256). The tokens, shown only here:%n"
            + "      export QUICKSTART_ADMIN_TOKEN=%s    # admin, read%n"
            + "      export QUICKSTART_SERVER_TOKEN=%s   # server, read%n"
            + "      export QUICKSTART_READ_TOKEN=%s     # read%n"
            + "    trust %s for --tls-trust (curl --cacert)",
        work.relativize(authFile),
        tokens().admin(),
        tokens().server(),
        tokens().reader(),
        work.relativize(authority().certificate()));
  }

  /** The CA certificate's file, to trust; null when open. */
  public @Nullable Path caCertificate() {
    return ca == null ? null : ca.certificate();
  }

  private ClientSecurity client(String certificate, String token) {
    return ClientSecurity.none()
        .withTrust(authority().certificate())
        .withClientCertificate(file(certificate + ".crt"), file(certificate + ".key"))
        .withCredentials(ClientCredentials.bearer(token));
  }

  private Path file(String name) {
    return dir().resolve(name);
  }

  private Path dir() {
    return java.util.Objects.requireNonNull(dir, "secured only");
  }

  private CertificateAuthority authority() {
    return java.util.Objects.requireNonNull(ca, "secured only");
  }

  private Tokens tokens() {
    return java.util.Objects.requireNonNull(tokens, "secured only");
  }
}
