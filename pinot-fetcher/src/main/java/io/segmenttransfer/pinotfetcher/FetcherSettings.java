package io.segmenttransfer.pinotfetcher;

import io.segmenttransfer.core.crypto.CrypterConfig;
import io.segmenttransfer.core.extract.ExtractionConfig;
import io.segmenttransfer.core.transfer.DownloadConfig;
import io.segmenttransfer.core.transfer.RetryPolicy;
import io.segmenttransfer.http.tls.ClientCredentials;
import io.segmenttransfer.http.tls.ClientSecurity;
import io.segmenttransfer.peer.HttpStoreConfig;
import io.segmenttransfer.s3.S3Config;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * What one protocol's fetcher is configured with, read from the keys Pinot's {@code
 * SegmentFetcherFactory} hands it: the server's {@code pinot.server.segment.fetcher.<protocol>.*}
 * with that prefix removed. Pinot's own names are used where Pinot has one (its fetchers' retry
 * keys, its HTTP fetcher's timeouts, its S3 file system's endpoint, region and keys); the rest are
 * this pipeline's.
 *
 * @param retry tries per source, as Pinot's {@code retry.count} (tries in all, the first included),
 *     {@code retry.wait.ms} and {@code retry.delay.scale.factor} describe them; also the rounds of
 *     a peer download, whose URI list is asked for again each round
 * @param s3 how s3:// URIs are read
 * @param http how http(s):// URIs are read, with the trust and client certificate for {@code https}
 *     ({@code ssl.*}) and, once {@code init} has added them, Pinot's {@code auth.*} credentials
 * @param extraction the pipeline's buffer sizes
 * @param crypter the crypter that decrypts archives in the streamed download, by this project's
 *     name ({@code TinkStreamingAeadCrypter}); null for plain archives
 * @param crypters the keys the crypters use
 * @param unknownKeys keys given that neither Pinot nor this fetcher reads, sorted
 */
public record FetcherSettings(
    RetryPolicy retry,
    S3Config s3,
    HttpStoreConfig http,
    ExtractionConfig extraction,
    @Nullable String crypter,
    CrypterConfig crypters,
    List<String> unknownKeys) {

  // Pinot's BaseSegmentFetcher keys, read by BaseSegmentFetcher.init and handed over as values.
  static final String RETRY_COUNT = "retry.count";
  static final String RETRY_WAIT_MS = "retry.wait.ms";
  static final String RETRY_DELAY_SCALE_FACTOR = "retry.delay.scale.factor";
  // Pinot's HttpSegmentFetcher keys.
  static final String HTTP_CONNECT_TIMEOUT_MS = "http.request.connectionRequestTimeoutMs";
  static final String HTTP_SOCKET_TIMEOUT_MS = "http.request.socketTimeoutMs";
  // Pinot's HttpsSegmentFetcher keys (ClientSSLContextGenerator, under "ssl."): the CA to trust,
  // and
  // the two this fetcher refuses rather than ignores (a PKCS#12 client keystore; verification off).
  static final String TLS_SERVER_CA = "ssl.server.ca-cert";
  static final String TLS_SERVER_VERIFICATION = "ssl.server.enable-verification";
  static final String TLS_CLIENT_PKCS12 = "ssl.client.pkcs12.file";
  // Pinot's S3PinotFS keys (org.apache.pinot.plugin.filesystem.S3Config).
  static final String S3_REGION = "region";
  static final String S3_ENDPOINT = "endpoint";
  static final String S3_ACCESS_KEY = "accessKey";
  static final String S3_SECRET_KEY = "secretKey";
  // This fetcher's own keys.
  static final String S3_PATH_STYLE = "pathStyleAccess";
  static final String S3_PARALLEL_RANGES = "parallelRanges";
  static final String S3_RANGE_SIZE = "rangeSizeBytes";
  static final String RETRY_MAX_WAIT_MS = "retry.max.wait.ms";
  static final String BUFFER_SIZE = "bufferSizeBytes";
  static final String READ_AHEAD = "readAheadChunks";
  static final String WRITE_AHEAD = "writeAheadBuffers";
  static final String CRYPTER = "crypter";
  static final String TINK_KEYSET = "crypter.tinkKeysetFile";
  static final String TLS_CLIENT_CERT = "ssl.client.cert";
  static final String TLS_CLIENT_KEY = "ssl.client.key";

  /**
   * Keys Pinot itself puts in or reads from the same namespace: known, not ours to check ({@code
   * templated} is PinotConfiguration's own marker).
   */
  private static final Set<String> PINOT_KEYS = Set.of("class", "auth.token", "templated");

  private static final String PINOT_AUTH_PREFIX = "auth.";

  static final Set<String> OWN_KEYS =
      Set.of(
          RETRY_COUNT,
          RETRY_WAIT_MS,
          RETRY_DELAY_SCALE_FACTOR,
          HTTP_CONNECT_TIMEOUT_MS,
          HTTP_SOCKET_TIMEOUT_MS,
          TLS_SERVER_CA,
          TLS_SERVER_VERIFICATION,
          TLS_CLIENT_PKCS12,
          TLS_CLIENT_CERT,
          TLS_CLIENT_KEY,
          S3_REGION,
          S3_ENDPOINT,
          S3_ACCESS_KEY,
          S3_SECRET_KEY,
          S3_PATH_STYLE,
          S3_PARALLEL_RANGES,
          S3_RANGE_SIZE,
          RETRY_MAX_WAIT_MS,
          BUFFER_SIZE,
          READ_AHEAD,
          WRITE_AHEAD,
          CRYPTER,
          TINK_KEYSET);

  /** The longest single wait between tries unless {@value #RETRY_MAX_WAIT_MS} says otherwise. */
  static final Duration DEFAULT_RETRY_MAX_WAIT = Duration.ofSeconds(10);

  /**
   * Pinot's fetchers draw a wait between 1 and the scale factor times the base: about this much.
   */
  static final double PINOT_LIKE_JITTER = 0.2;

  public FetcherSettings {
    unknownKeys = List.copyOf(unknownKeys);
  }

  /**
   * Reads the settings from a fetcher's keys. {@code retryCount}, {@code retryWaitMs} and {@code
   * retryDelayScaleFactor} are the values Pinot's {@code BaseSegmentFetcher.init} already read from
   * the same keys, with Pinot's defaults (3, 100 ms, 5). A value that cannot be used fails with one
   * line naming the key.
   */
  public static FetcherSettings from(
      Map<String, Object> keys, int retryCount, int retryWaitMs, double retryDelayScaleFactor) {
    Reader reader = new Reader(keys);
    // Pinot's count is tries in all; 0 or less would mean no try at all, which no caller wants.
    int attempts = Math.max(1, retryCount);
    Duration base = Duration.ofMillis(Math.max(0, retryWaitMs));
    Duration max = reader.millis(RETRY_MAX_WAIT_MS, DEFAULT_RETRY_MAX_WAIT);
    RetryPolicy retry =
        reader.build(
            RETRY_COUNT,
            () ->
                new RetryPolicy(
                    attempts,
                    base,
                    Math.max(1, retryDelayScaleFactor),
                    max.compareTo(base) < 0 ? base : max,
                    PINOT_LIKE_JITTER));

    S3Config s3 = S3Config.defaults();
    String region = reader.text(S3_REGION);
    if (region != null) {
      s3 = s3.withRegion(region);
    }
    String endpoint = reader.text(S3_ENDPOINT);
    if (endpoint != null) {
      S3Config base3 = s3;
      s3 = reader.build(S3_ENDPOINT, () -> base3.withEndpoint(URI.create(endpoint)));
    }
    String accessKey = reader.text(S3_ACCESS_KEY);
    String secretKey = reader.text(S3_SECRET_KEY);
    if (accessKey != null || secretKey != null) {
      S3Config base3 = s3;
      s3 =
          reader.build(
              S3_ACCESS_KEY + "/" + S3_SECRET_KEY,
              () -> base3.withCredentials(new S3Config.Credentials(accessKey, secretKey)));
    }
    s3 = s3.withPathStyle(reader.bool(S3_PATH_STYLE, false));
    int ranges = reader.integer(S3_PARALLEL_RANGES, S3Config.DEFAULT_READ_CONCURRENCY);
    int rangeSize = reader.integer(S3_RANGE_SIZE, S3Config.DEFAULT_READ_PART_SIZE);
    S3Config s3Ranges = s3;
    s3 =
        reader.build(
            S3_PARALLEL_RANGES,
            () ->
                s3Ranges
                    .withMaxConnections(Math.max(s3Ranges.maxConnections(), ranges))
                    .withReadParts(rangeSize, ranges));

    HttpStoreConfig httpDefaults = HttpStoreConfig.defaults();
    Duration connect = reader.millis(HTTP_CONNECT_TIMEOUT_MS, httpDefaults.connectTimeout());
    Duration socket = reader.millis(HTTP_SOCKET_TIMEOUT_MS, httpDefaults.responseTimeout());
    HttpStoreConfig timed =
        reader.build(HTTP_SOCKET_TIMEOUT_MS, () -> httpDefaults.withTimeouts(connect, socket));
    HttpStoreConfig http = timed.withSecurity(tls(reader));

    ExtractionConfig defaults = ExtractionConfig.defaults();
    int bufferSize = reader.integer(BUFFER_SIZE, defaults.bufferSize());
    int readAhead = reader.integer(READ_AHEAD, defaults.readAhead());
    int writeAhead = reader.integer(WRITE_AHEAD, defaults.writeAhead());
    ExtractionConfig extraction =
        reader.build(
            BUFFER_SIZE,
            () ->
                new ExtractionConfig(bufferSize, readAhead, writeAhead, defaults.limits())
                    .withParallelDecoding(defaults.parallelDecoding()));

    String crypter = reader.text(CRYPTER);
    String keyset = reader.text(TINK_KEYSET);
    CrypterConfig crypters =
        keyset == null ? CrypterConfig.defaults() : CrypterConfig.tink(Path.of(keyset));
    return new FetcherSettings(retry, s3, http, extraction, crypter, crypters, reader.unknown());
  }

  /**
   * These settings with {@code credentials} sent on every HTTP(S) request (Pinot's {@code auth.*},
   * through {@link PinotCredentials}); null sends none.
   */
  FetcherSettings withCredentials(@Nullable ClientCredentials credentials) {
    return new FetcherSettings(
        retry,
        s3,
        http.withSecurity(http.security().withCredentials(credentials)),
        extraction,
        crypter,
        crypters,
        unknownKeys);
  }

  /**
   * TLS for {@code https} sources: the CA certificates of {@value #TLS_SERVER_CA} (else the JVM's
   * trust store) and a client certificate for mutual TLS. The server's certificate and host name
   * are always verified.
   */
  private static ClientSecurity tls(Reader reader) {
    if (!reader.bool(TLS_SERVER_VERIFICATION, true)) {
      throw Reader.invalid(
          TLS_SERVER_VERIFICATION,
          "false is not supported: this fetcher always verifies the server's certificate and host"
              + " name; give the CA to trust in "
              + TLS_SERVER_CA,
          null);
    }
    if (reader.text(TLS_CLIENT_PKCS12) != null) {
      throw Reader.invalid(
          TLS_CLIENT_PKCS12,
          "a PKCS#12 client keystore is not supported; give the client certificate and its key as"
              + " PEM files in "
              + TLS_CLIENT_CERT
              + " and "
              + TLS_CLIENT_KEY,
          null);
    }
    Path trust = reader.file(TLS_SERVER_CA);
    Path cert = reader.file(TLS_CLIENT_CERT);
    Path key = reader.file(TLS_CLIENT_KEY);
    if ((cert == null) != (key == null)) {
      throw Reader.invalid(
          cert == null ? TLS_CLIENT_KEY : TLS_CLIENT_CERT,
          "needs " + (cert == null ? TLS_CLIENT_CERT : TLS_CLIENT_KEY) + " as well",
          null);
    }
    return ClientSecurity.none().withTrust(trust).withClientCertificate(cert, key);
  }

  /** The downloader's settings: Pinot's retries for a source and for the rounds of peers. */
  DownloadConfig download() {
    // Pinot gives up on peers after its rounds: no extra wait for a first peer to appear.
    return DownloadConfig.defaults().withRetries(retry, retry).withPeerWaitTimeout(Duration.ZERO);
  }

  /** Reads typed values, naming the key in every failure. */
  private static final class Reader {
    private final Map<String, Object> keys;

    Reader(Map<String, Object> keys) {
      Map<String, Object> relaxed = new java.util.HashMap<>();
      keys.forEach((key, value) -> relaxed.put(relax(key), value));
      this.keys = relaxed;
    }

    @Nullable String text(String key) {
      Object value = keys.get(relax(key));
      if (value == null) {
        return null;
      }
      String text = value instanceof List<?> list ? join(list) : value.toString().trim();
      return text.isEmpty() ? null : text;
    }

    int integer(String key, int fallback) {
      String text = text(key);
      if (text == null) {
        return fallback;
      }
      try {
        return Integer.parseInt(text);
      } catch (NumberFormatException e) {
        throw invalid(key, "'" + text + "' is not a whole number", e);
      }
    }

    Duration millis(String key, Duration fallback) {
      String text = text(key);
      if (text == null) {
        return fallback;
      }
      try {
        return Duration.ofMillis(Long.parseLong(text));
      } catch (NumberFormatException e) {
        throw invalid(key, "'" + text + "' is not a number of milliseconds", e);
      }
    }

    /** A file that must exist and be readable (its content is checked where it is used). */
    @Nullable Path file(String key) {
      String text = text(key);
      if (text == null) {
        return null;
      }
      Path path = Path.of(text);
      if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
        throw invalid(key, path + " is not a readable file", null);
      }
      return path;
    }

    boolean bool(String key, boolean fallback) {
      String text = text(key);
      if (text == null) {
        return fallback;
      }
      return switch (text.toLowerCase(Locale.ROOT)) {
        case "true" -> true;
        case "false" -> false;
        default -> throw invalid(key, "'" + text + "' is neither true nor false", null);
      };
    }

    <T> T build(String key, java.util.function.Supplier<T> factory) {
      try {
        return factory.get();
      } catch (IllegalArgumentException e) {
        throw invalid(key, e.getMessage(), e);
      }
    }

    List<String> unknown() {
      Set<String> unknown = new TreeSet<>();
      Set<String> known = new java.util.HashSet<>();
      OWN_KEYS.forEach(k -> known.add(relax(k)));
      PINOT_KEYS.forEach(k -> known.add(relax(k)));
      for (String key : keys.keySet()) {
        if (!known.contains(key) && !key.startsWith(PINOT_AUTH_PREFIX)) {
          unknown.add(key);
        }
      }
      return new ArrayList<>(unknown);
    }

    /**
     * A key as PinotConfiguration stores and looks it up: without '-' and '_', in lower case (its
     * "relaxed" names), so that {@code accessKey}, {@code accesskey} and {@code access_key} are one
     * key, as they are for Pinot's own plugins.
     */
    static String relax(String key) {
      return key.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }

    private static String join(List<?> values) {
      // PinotConfiguration splits comma-separated values into lists; a value is one string here.
      StringBuilder joined = new StringBuilder();
      for (Object v : values) {
        if (joined.length() > 0) {
          joined.append(',');
        }
        joined.append(v);
      }
      return joined.toString().trim();
    }

    static IllegalArgumentException invalid(
        String key, @Nullable String why, @Nullable Throwable cause) {
      return new IllegalArgumentException("segment fetcher setting " + key + ": " + why, cause);
    }
  }
}
