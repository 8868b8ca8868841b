package io.segmenttransfer.http.auth;

import java.util.EnumSet;
import java.util.Set;

/**
 * Who made a request, once authenticated: a name from the auth file and its permissions. Holds no
 * secret, so it may be logged.
 */
public record Principal(String name, Set<Permission> permissions) {

  public Principal {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a principal needs a name");
    }
    permissions =
        permissions.isEmpty()
            ? Set.of()
            : java.util.Collections.unmodifiableSet(EnumSet.copyOf(permissions));
  }

  public boolean has(Permission permission) {
    return permissions.contains(permission);
  }
}
