package io.segmenttransfer.server.cli;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.peer.HttpStoreConfig;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code --http-connect-timeout}, {@code --http-response-timeout}, {@code --peer-codec}: how {@code
 * http(s)://} download URLs (a peer's or controller's segment URL) are fetched. Unset options keep
 * {@link HttpStoreConfig#defaults()}; this is the one place request options meet those defaults.
 */
final class HttpOptions {

  @Option(
      names = "--http-connect-timeout",
      paramLabel = "DURATION",
      description =
          "Longest wait for an HTTP connection, ISO-8601 (PT10S) or seconds. Default: "
              + "${DEFAULT-VALUE}.",
      defaultValue = "PT10S",
      converter = DurationConverter.class)
  Duration connectTimeout = HttpStoreConfig.DEFAULT_CONNECT_TIMEOUT;

  @Option(
      names = "--http-response-timeout",
      paramLabel = "DURATION",
      description =
          "Longest silence on an HTTP connection while a response is due or arriving. Default: "
              + "${DEFAULT-VALUE}.",
      defaultValue = "PT60S",
      converter = DurationConverter.class)
  Duration responseTimeout = HttpStoreConfig.DEFAULT_RESPONSE_TIMEOUT;

  @Option(
      names = "--peer-codec",
      paramLabel = "CODEC",
      description =
          "Compression asked of this project's peers, which build the archive per request: zstd "
              + "(half the bytes, the peer's cores spent), none (the plain tar: no work on the "
              + "peer, twice the bytes, for links faster than a peer compresses), lz4 or gzip. "
              + "Pinot servers and controllers send what they hold. Default: ${DEFAULT-VALUE}.",
      defaultValue = "zstd",
      converter = CodecConverter.class)
  Codec peerCodec = HttpStoreConfig.DEFAULT_PEER_CODEC;

  /** TLS trust, client certificate and credentials for https:// URLs and every request. */
  @picocli.CommandLine.Mixin ClientSecurityOptions security;

  HttpStoreConfig toConfig() {
    return HttpStoreConfig.defaults()
        .withTimeouts(connectTimeout, responseTimeout)
        .withSecurity(security.toClientSecurity())
        .withPeerCodec(peerCodec);
  }

  /** {@code zstd}, {@code none}, {@code lz4}, {@code gzip} (or an extension: {@code tar.zst}). */
  static final class CodecConverter implements picocli.CommandLine.ITypeConverter<Codec> {
    @Override
    public Codec convert(String value) {
      return Codec.named(value)
          .orElseThrow(
              () ->
                  new picocli.CommandLine.TypeConversionException(
                      "'" + value + "' is not a codec: expected zstd, none, lz4 or gzip"));
    }
  }

  /** {@code PT30S} or a plain number of seconds. */
  static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim();
      return v.matches("\\d+") ? Duration.ofSeconds(Long.parseLong(v)) : Duration.parse(v);
    }
  }
}
