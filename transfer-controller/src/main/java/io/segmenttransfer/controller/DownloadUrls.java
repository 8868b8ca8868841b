package io.segmenttransfer.controller;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.SegmentId;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The one rule for the {@code segment.download.url} the controller records for a segment whose
 * archive is in the deep store, whether it arrived by tar push, by a commit or by a deep-store
 * repair. As Pinot's upload does: with a deep store that servers can reach themselves (any scheme
 * but {@code file}: {@code s3://}, ...), the URL is the archive's deep-store URI and servers read
 * it with their own client, so no download streams through the controller. Only a local-directory
 * deep store ({@code file}) gets the controller's own download URL, {@code
 * http://<controller>/segments/<raw table>/<segment>}, because the directory is the controller's
 * and other machines cannot read it.
 */
public final class DownloadUrls {

  private final Supplier<String> controllerBaseUrl;

  /**
   * @param controllerBaseUrl {@code http://<advertised host>:<port>}, known once the port is bound
   */
  public DownloadUrls(Supplier<String> controllerBaseUrl) {
    this.controllerBaseUrl = controllerBaseUrl;
  }

  /** The download URL of {@code segment} whose archive is at {@code archive} in a deep store. */
  public String forArchive(SegmentId segment, URI archive) {
    return servedByController(archive) ? controllerUrl(segment) : archive.toASCIIString();
  }

  /**
   * True for archives only the controller can serve: local files (a {@code file} URI or a plain
   * path).
   */
  public static boolean servedByController(URI archive) {
    return archive.getScheme() == null
        || archive.getScheme().toLowerCase(Locale.ROOT).equals("file");
  }

  /**
   * {@code http(s)://<controller>/segments/<raw>/<segment>}: Pinot's shape of the controller's
   * download URL.
   */
  public String controllerUrl(SegmentId segment) {
    String base = controllerBaseUrl.get();
    int separator = base.indexOf("://");
    // The controller's own scheme: https when its listener serves TLS.
    String scheme = base.substring(0, separator);
    String authority = base.substring(separator + 3);
    try {
      return new URI(
              scheme,
              authority,
              "/segments/" + segment.table().rawName() + "/" + segment.segmentName(),
              null,
              null)
          .toASCIIString();
    } catch (URISyntaxException e) {
      throw new InvalidRequestException(
          segment.segmentName(), "cannot form a download URL: " + e.getMessage(), e);
    }
  }
}
