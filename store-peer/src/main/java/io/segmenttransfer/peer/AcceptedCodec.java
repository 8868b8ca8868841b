package io.segmenttransfer.peer;

import io.segmenttransfer.core.archive.Codec;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The codec an {@code Accept} header asks the peer endpoint for, read as media ranges (RFC 9110
 * §12.5.1): a codec counts only when its media type is named exactly, never as part of another type
 * ({@code application/x-tar-gz} is no plain tar), and not when refused with {@code q=0}; the
 * highest quality wins. Wildcards and types we do not build name nothing: a browser, curl or
 * Pinot's own client (none of which names a codec) gets the endpoint's default, as from a Pinot
 * server. A default refused by {@code q=0} is still served (Pinot ignores Accept; a 406 would break
 * clients that relied on that).
 */
final class AcceptedCodec {

  /** The codecs a client may name, in the order ties are broken: cheapest to decode first. */
  private static final List<Codec> OFFERED = List.of(Codec.ZSTD, Codec.LZ4, Codec.NONE, Codec.GZIP);

  private AcceptedCodec() {}

  /** The codec {@code accept} prefers among those it names; empty when it names none. */
  static Optional<Codec> preferred(@Nullable String accept) {
    if (accept == null) {
      return Optional.empty();
    }
    Map<Codec, Double> qualities = new EnumMap<>(Codec.class);
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      String type = parts[0].trim().toLowerCase(Locale.ROOT);
      for (Codec codec : OFFERED) {
        if (type.equals(codec.mediaType())) {
          // The first mention counts; a repeated range is the client's ambiguity, not ours.
          qualities.putIfAbsent(codec, quality(parts));
        }
      }
    }
    Codec best = null;
    double bestQuality = 0;
    for (Codec codec : OFFERED) {
      double q = qualities.getOrDefault(codec, 0.0);
      if (q > bestQuality) {
        best = codec;
        bestQuality = q;
      }
    }
    return Optional.ofNullable(best);
  }

  /** The {@code q} parameter (1 when absent); 0, so never chosen, when it is not a number. */
  private static double quality(String[] parts) {
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].trim();
      int equals = parameter.indexOf('=');
      if (equals > 0 && parameter.substring(0, equals).trim().equalsIgnoreCase("q")) {
        try {
          double q = Double.parseDouble(parameter.substring(equals + 1).trim());
          return q >= 0 && q <= 1 ? q : 0;
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 1;
  }
}
