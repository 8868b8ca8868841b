package io.segmenttransfer.http.auth;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * Which permission each route of a surface needs, in the order the surface registers them (the
 * router picks the first match, and so does {@link #ruleFor}).
 *
 * <p>A request that matches no rule needs {@link Permission#ADMIN}: a route added to a surface but
 * forgotten here is closed, not open, until it is listed. {@link #unlisted} finds such routes, and
 * {@link AccessControl#guard} refuses to start a surface that has one.
 */
public final class RoutePermissions {

  /** What a request matching no rule needs. */
  public static final Permission UNLISTED = Permission.ADMIN;

  private record Compiled(RouteRule rule, Pattern pattern) {}

  private final List<Compiled> rules;

  private RoutePermissions(List<RouteRule> rules) {
    this.rules = rules.stream().map(r -> new Compiled(r, r.pattern())).toList();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Every rule, in order. */
  public List<RouteRule> rules() {
    return rules.stream().map(Compiled::rule).toList();
  }

  /**
   * The rule for a request, by its method and raw URI (origin form, {@code /path?query}); empty
   * when none matches. A URI in absolute form ({@code http://host/path}) matches nothing, so it
   * needs {@link #UNLISTED}: stricter than the router, never looser.
   */
  public Optional<RouteRule> ruleFor(HttpMethod method, String uri) {
    int query = uri.lastIndexOf('?');
    String path = query < 0 ? uri : uri.substring(0, query);
    for (Compiled compiled : rules) {
      if (compiled.rule().method().equals(method) && compiled.pattern().matcher(path).matches()) {
        return Optional.of(compiled.rule());
      }
    }
    return Optional.empty();
  }

  /**
   * What a request needs: its rule's permission, {@link #UNLISTED} without a rule, null if open.
   */
  @Nullable Permission required(HttpMethod method, String uri) {
    // Not Optional.map: an open rule's null permission would turn into "no rule".
    Optional<RouteRule> rule = ruleFor(method, uri);
    return rule.isPresent() ? rule.get().permission() : UNLISTED;
  }

  /**
   * The routes registered in {@code routes} (by method and template) that have no rule here, as
   * {@code "GET /path"}; empty when every route is listed. Reads the routes without changing them.
   */
  public Set<String> unlisted(HttpServerRoutes routes) {
    Set<String> listed = new LinkedHashSet<>();
    rules.forEach(c -> listed.add(c.rule().route()));
    Set<String> missing = new LinkedHashSet<>();
    routes.removeIf(
        handler -> {
          if (handler.getPath() != null && handler.getMethod() != null) {
            String route = handler.getMethod().name() + " " + handler.getPath();
            if (!listed.contains(route)) {
              missing.add(route);
            }
          }
          return false;
        });
    return missing;
  }

  /** Rules in registration order. */
  public static final class Builder {
    private final List<RouteRule> rules = new ArrayList<>();

    private Builder() {}

    public Builder open(HttpMethod method, String template) {
      return add(new RouteRule(method, template, null));
    }

    public Builder require(Permission permission, HttpMethod method, String template) {
      return add(new RouteRule(method, template, permission));
    }

    private Builder add(RouteRule rule) {
      if (rules.stream().anyMatch(r -> r.route().equals(rule.route()))) {
        throw new IllegalArgumentException("route listed twice: " + rule.route());
      }
      rules.add(rule);
      return this;
    }

    public RoutePermissions build() {
      return new RoutePermissions(rules);
    }
  }
}
