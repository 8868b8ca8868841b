package io.segmenttransfer.http.auth;

import io.netty.handler.codec.http.HttpMethod;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One route of a surface and what it needs: a method, a path template as the route registers it
 * ({@code /tables/{tableName}}), and a permission, or none for an open route.
 *
 * <p>The template matches as reactor-netty's router matches it (reactor-netty 1.3.7's {@code
 * HttpPredicate}): the whole raw request path, query cut at the last {@code ?}, a {@code {name}}
 * standing for any run of characters without {@code /} (even none). So the rule found here is the
 * route the router will pick, and a request path never gets a weaker rule than its handler's.
 *
 * @param permission what the caller needs; null for an open route
 */
public record RouteRule(HttpMethod method, String template, @Nullable Permission permission) {

  private static final Pattern NAME = Pattern.compile("\\{[^/]+?}");

  public RouteRule {
    if (!template.startsWith("/") || template.contains("*")) {
      throw new IllegalArgumentException(
          "route template must be an absolute path without wildcards: " + template);
    }
  }

  public boolean isOpen() {
    return permission == null;
  }

  /** {@code GET /tables/{tableName}}. */
  public String route() {
    return method.name() + " " + template;
  }

  /** The template as a regex: literal parts quoted, names as {@code [^/]*}. */
  Pattern pattern() {
    StringBuilder regex = new StringBuilder();
    Matcher names = NAME.matcher(template);
    int last = 0;
    while (names.find()) {
      regex.append(Pattern.quote(template.substring(last, names.start()))).append("[^/]*");
      last = names.end();
    }
    regex.append(Pattern.quote(template.substring(last)));
    return Pattern.compile(regex.toString());
  }
}
