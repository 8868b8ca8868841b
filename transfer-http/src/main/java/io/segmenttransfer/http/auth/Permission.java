package io.segmenttransfer.http.auth;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a principal may do. None implies another: an operator who administers tables and reads them
 * back is given both {@code admin} and {@code read}, so a credential that leaks grants exactly what
 * it lists.
 */
public enum Permission {
  /** Tables, schemas, segment push and delete, metadata changes, periodic tasks. */
  ADMIN,
  /**
   * What a server does towards the cluster: registration, state reports, assignment polling, the
   * completion protocol, uploads asked for by the controller.
   */
  SERVER,
  /** Metadata, external and ideal views, segment and peer downloads, a server's status. */
  READ;

  /** The name in the auth file: {@code admin}, {@code server}, {@code read}. */
  public String fileName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The permission named {@code name} in an auth file (case-insensitive), if there is one. */
  public static Optional<Permission> parse(String name) {
    return Arrays.stream(values())
        .filter(p -> p.fileName().equals(name.trim().toLowerCase(Locale.ROOT)))
        .findFirst();
  }

  /** {@code admin, server, read}: for error messages. */
  public static String names() {
    return Arrays.stream(values()).map(Permission::fileName).collect(Collectors.joining(", "));
  }
}
