package io.segmenttransfer.http.auth;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.segmenttransfer.core.error.InvalidRequestException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The auth file: who may call the HTTP surfaces, with which secret and which permissions.
 *
 * <pre>
 * principals:
 *   - name: ops
 *     password-hash: "$2a$12$..."          # segment-transfer.jar hash-password
 *     permissions: [admin, read]
 *   - name: server-1
 *     token-sha256: "9f86d08...0f00a08"    # segment-transfer.jar hash-token
 *     permissions: [server, read]
 * </pre>
 *
 * <p>Each principal has exactly one secret: a BCrypt {@code password-hash} (for HTTP Basic) or the
 * lowercase hex {@code token-sha256} of a bearer token. Loading checks everything it can, so a
 * mistake fails the start with one line naming the file and the principal, and never a request
 * later. Error messages name keys and principals, never a hash.
 */
public record AuthFile(Path source, List<Entry> entries) {

  /** One principal with its secret: exactly one of {@code tokenSha256} and {@code passwordHash}. */
  public record Entry(
      Principal principal, @Nullable String tokenSha256, @Nullable String passwordHash) {

    public Entry {
      if ((tokenSha256 == null) == (passwordHash == null)) {
        throw new IllegalArgumentException(
            "principal '" + principal.name() + "' needs exactly one secret");
      }
    }

    /** Without the secret, so an entry printed by accident shows none. */
    @Override
    public String toString() {
      return "Entry[" + principal + ", " + (tokenSha256 != null ? "token" : "password") + "]";
    }
  }

  private static final String PRINCIPALS = "principals";
  private static final String NAME = "name";
  private static final String TOKEN = "token-sha256";
  private static final String PASSWORD = "password-hash";
  private static final String PERMISSIONS = "permissions";
  private static final Set<String> KEYS = Set.of(NAME, TOKEN, PASSWORD, PERMISSIONS);

  public AuthFile {
    entries = List.copyOf(entries);
  }

  /**
   * Reads and checks {@code file}. Throws {@link InvalidRequestException} with one line naming the
   * file (and the principal, when the fault is in one) for a missing, unreadable or malformed file.
   */
  public static AuthFile load(Path file) {
    JsonNode root;
    try (Reader reader = Files.newBufferedReader(file)) {
      root =
          new ObjectMapper(new YAMLFactory())
              // A key given twice would otherwise quietly keep the last value.
              .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
              .readTree(reader);
    } catch (JsonProcessingException e) {
      // Jackson's own message quotes the offending text, which may be a secret: give the place.
      throw fault(
          file,
          "not valid YAML (line "
              + (e.getLocation() == null ? "?" : e.getLocation().getLineNr())
              + "): a syntax error, or a key given twice");
    } catch (IOException e) {
      throw fault(file, "cannot be read: " + e.getClass().getSimpleName() + " " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw fault(file, "must be a mapping with a '" + PRINCIPALS + "' list");
    }
    Iterator<String> keys = root.fieldNames();
    while (keys.hasNext()) {
      String key = keys.next();
      if (!key.equals(PRINCIPALS)) {
        throw fault(file, "unknown key '" + key + "' (only '" + PRINCIPALS + "')");
      }
    }
    JsonNode list = root.get(PRINCIPALS);
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw fault(
          file,
          "no principals: list at least one under '"
              + PRINCIPALS
              + "' (every request would be refused)");
    }
    List<Entry> entries = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> tokens = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      Entry entry = entry(file, i + 1, list.get(i));
      if (!names.add(entry.principal().name())) {
        throw fault(file, "principal '" + entry.principal().name() + "' is listed twice");
      }
      if (entry.tokenSha256() != null && !tokens.add(entry.tokenSha256())) {
        throw fault(
            file,
            "principal '"
                + entry.principal().name()
                + "' has the same token as another principal: each needs its own");
      }
      entries.add(entry);
    }
    return new AuthFile(file, entries);
  }

  private static Entry entry(Path file, int position, JsonNode node) {
    if (!node.isObject()) {
      throw fault(file, "principal #" + position + " is not a mapping of " + KEYS);
    }
    String name = text(node, NAME);
    if (name == null || name.isBlank()) {
      throw fault(file, "principal #" + position + " has no '" + NAME + "'");
    }
    String who = "principal '" + name + "'";
    if (name.contains(":") || !name.strip().equals(name)) {
      throw fault(file, who + ": a name may not hold ':' or surrounding spaces (HTTP Basic)");
    }
    Iterator<String> keys = node.fieldNames();
    while (keys.hasNext()) {
      String key = keys.next();
      if (!KEYS.contains(key)) {
        throw fault(file, who + " has an unknown key '" + key + "' (known: " + KEYS + ")");
      }
    }
    String token = text(node, TOKEN);
    String password = text(node, PASSWORD);
    if ((token == null) == (password == null)) {
      throw fault(
          file,
          who
              + " needs exactly one of '"
              + TOKEN
              + "' and '"
              + PASSWORD
              + "', has "
              + (token == null ? "neither" : "both"));
    }
    if (token != null && !TokenHashes.isHexSha256(token)) {
      throw fault(
          file,
          who
              + ": '"
              + TOKEN
              + "' must be 64 lowercase hex digits (the SHA-256 that hash-token prints), not the"
              + " token itself");
    }
    if (password != null && !PasswordHashes.isWellFormed(password)) {
      throw fault(
          file,
          who
              + ": '"
              + PASSWORD
              + "' must be a bcrypt hash ($2a$/$2b$/$2y$, as hash-password prints), not the"
              + " password itself");
    }
    return new Entry(
        new Principal(name, permissions(file, who, node.get(PERMISSIONS))), token, password);
  }

  private static Set<Permission> permissions(Path file, String who, @Nullable JsonNode node) {
    if (node == null || !node.isArray() || node.isEmpty()) {
      throw fault(file, who + " needs a '" + PERMISSIONS + "' list of " + Permission.names());
    }
    Set<Permission> permissions = EnumSet.noneOf(Permission.class);
    for (JsonNode one : node) {
      String text = one.isTextual() ? one.asText() : one.toString();
      permissions.add(
          Permission.parse(text)
              .orElseThrow(
                  () ->
                      fault(
                          file,
                          who
                              + " has an unknown permission '"
                              + text
                              + "' (known: "
                              + Permission.names()
                              + ")")));
    }
    return permissions;
  }

  private static @Nullable String text(JsonNode node, String key) {
    JsonNode value = node.get(key);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static InvalidRequestException fault(Path file, String what) {
    return new InvalidRequestException(null, "auth file " + file + ": " + what);
  }
}
