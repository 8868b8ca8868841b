package io.segmenttransfer.server.daemon;

import java.net.URI;
import java.util.Locale;

/**
 * What kind of source a download URI is, for metrics tags and summaries: a bounded vocabulary,
 * never the URL itself. {@code deepstore-<scheme>} for store URIs ({@code deepstore-file}, {@code
 * deepstore-s3}), {@code peer} for a server's admin download ({@code
 * /segments/<raw>_<TYPE>/<segment>}), {@code controller} for a controller's download ({@code
 * /segments/<raw>/<segment>}, how Pinot serves a local-file deep store), {@code peer-discovery} for
 * an external-view lookup, {@code http} for any other URL.
 */
public final class SourceKind {

  public static final String PEER = "peer";
  public static final String CONTROLLER = "controller";

  private SourceKind() {}

  public static String of(URI source) {
    String scheme =
        source.getScheme() == null ? "file" : source.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("http") || scheme.equals("https")) {
      String[] parts = source.getPath() == null ? new String[0] : source.getPath().split("/");
      if (parts.length == 4 && parts[0].isEmpty() && parts[1].equals("segments")) {
        return parts[2].matches(".*_(OFFLINE|REALTIME)") ? PEER : CONTROLLER;
      }
      return "http";
    }
    return scheme.equals("peers") ? "peer-discovery" : "deepstore-" + scheme;
  }
}
