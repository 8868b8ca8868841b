package io.segmenttransfer.core.store;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.segment.SegmentId;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * The one rule for where a segment's archive lives in a deep store: {@code
 * <base>/<tableNameWithType>/<segmentName>.<codec extension>}, for example {@code
 * s3://bucket/pinot/events_OFFLINE/events_0.tar.gz}. Every writer (the controller's tar push, a
 * server's upload endpoint, the planned commit and repair flows) asks it; readers never derive a
 * key, they follow {@code segment.download.url}, which is why this layout may differ from Pinot's
 * without breaking anyone who downloads.
 *
 * <p>Pinot's controller writes {@code <dataDir>/<rawTableName>/<segmentName>} without an extension.
 * This layout keeps two differences on purpose:
 *
 * <ul>
 *   <li>the table <em>with its type</em>: the OFFLINE and REALTIME halves of a hybrid table may
 *       hold segments of the same name (names are unique per table with type only), and under the
 *       raw name one upload would overwrite the other's archive;
 *   <li>the codec's extension: archives are stored as they came (gzip, zstd, lz4 or plain tar) and
 *       served byte for byte, so the key says what the bytes are, and a re-upload in another codec
 *       gets its own key instead of overwriting the archive the current metadata still points to.
 * </ul>
 *
 * It is also what the controller has always written, so existing records keep pointing at the keys
 * this class computes (an identical re-upload is recognised as unchanged by its URI).
 *
 * <p>Names are percent-encoded: a segment name may hold spaces, {@code %}, {@code #}, {@code ?} or
 * non-ASCII letters ({@code SegmentId} only refuses {@code /}, {@code \}, {@code ..} and control
 * characters), and the URI's decoded path, which the stores turn into a file name or an S3 key, is
 * the name exactly. The result is ASCII only, so it survives JSON and {@code URI.create}.
 *
 * @param base the deep store's root: {@code file:///var/deepstore}, {@code s3://bucket} or {@code
 *     s3://bucket/prefix}, with or without a trailing slash, or a plain absolute path
 */
public record DeepStoreLayout(URI base) {

  public DeepStoreLayout {
    if (base == null) {
      throw new InvalidRequestException(null, "deep-store base URI is missing");
    }
    if (base.isOpaque() || base.getRawQuery() != null || base.getRawFragment() != null) {
      throw new InvalidRequestException(
          null,
          "deep-store base must be a hierarchical URI without query or fragment (file:///dir, s3://bucket/prefix), was "
              + base);
    }
  }

  /** The URI of {@code segment}'s archive compressed with {@code codec}. */
  public URI archive(SegmentId segment, Codec codec) {
    return at(segment, segment.segmentName() + "." + codec.extension());
  }

  /**
   * The URI of one version of {@code segment}'s archive: {@code <segment>..<version>.<codec
   * extension>}. A refresh (a push over an existing segment, a deep-store sync) writes here and
   * then switches the metadata to it, so the object the metadata names is never overwritten and the
   * deep store is never ahead of the metadata. The {@code ..} cannot occur in a segment name
   * ({@code SegmentId} refuses it), so no version key equals another segment's key.
   *
   * @param version letters, digits, {@code -} and {@code _} only
   */
  public URI versionedArchive(SegmentId segment, Codec codec, String version) {
    if (version == null || !version.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new InvalidRequestException(
          segment.segmentName(), "archive version '" + version + "' is not [A-Za-z0-9_-]{1,64}");
    }
    return at(segment, segment.segmentName() + ".." + version + "." + codec.extension());
  }

  private URI at(SegmentId segment, String fileName) {
    // The decoded path, so the base's own escapes are not escaped twice when the URI is rebuilt.
    String path = base.getPath() == null ? "" : base.getPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    path = path + "/" + segment.table() + "/" + fileName;
    try {
      // The multi-argument constructor quotes what is illegal in a path, '%' included;
      // toASCIIString then escapes non-ASCII characters too.
      // An empty authority keeps "file:///p" as it is: with none, the URI would print as "file:/p",
      // which SegmentStores.toUri, reading segment.download.url back, takes for a relative path.
      String authority =
          base.getAuthority() == null && base.getScheme() != null ? "" : base.getAuthority();
      URI uri = new URI(base.getScheme(), authority, path, null, null);
      return URI.create(uri.toASCIIString());
    } catch (URISyntaxException e) {
      throw new InvalidRequestException(
          segment.segmentName(),
          "cannot form a deep-store URI under " + base + ": " + e.getMessage(),
          e);
    }
  }
}
