package io.segmenttransfer.server.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.local.DataDirectoryConfig;
import io.segmenttransfer.http.limits.ListenerLimits;
import io.segmenttransfer.peer.HttpStoreConfig;
import io.segmenttransfer.peer.PeerServeConfig;
import io.segmenttransfer.s3.S3Config;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one place a server's settings are resolved: a flag wins over the config file, the file over
 * the documented default. Files are YAML ({@code .yml}, {@code .yaml}) or Java properties, with the
 * keys of {@link #KEYS}; an unknown key is an error, so a typo never silently falls back to a
 * default.
 */
public final class ServerSettings {

  /** Every key a config file may hold, with its default as documented in the README. */
  public static final Map<String, String> KEYS = keys();

  private final Map<String, String> values = new LinkedHashMap<>();

  private static Map<String, String> keys() {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("controller", "(required)");
    keys.put("dataDir", "(required)");
    keys.put("host", ServerConfig.DEFAULT_HOST);
    keys.put("adminPort", Integer.toString(ServerConfig.DEFAULT_ADMIN_PORT));
    keys.put("instanceId", "Server_<host>_<adminPort>");
    keys.put("deepStore", "(none: uploads refused)");
    keys.put(
        "maxParallelDownloads",
        Integer.toString(DataDirectoryConfig.DEFAULT_MAX_PARALLEL_DOWNLOADS));
    keys.put("maxParallelDownloadsPerTable", "0 (no limit)");
    keys.put("maxPeerUploads", Integer.toString(ServerConfig.DEFAULT_MAX_PEER_UPLOADS));
    keys.put("peerBytesPerSecond", "0 (no limit)");
    keys.put("peerCodec", HttpStoreConfig.DEFAULT_PEER_CODEC.name().toLowerCase(Locale.ROOT));
    keys.put("peerCacheBytes", Long.toString(PeerServeConfig.DEFAULT_MAX_CACHE_BYTES));
    keys.put("longPoll", "30s");
    keys.put("shutdownDeadline", "30s");
    keys.put("keyset", "(none)");
    keys.put("s3.endpoint", "(AWS)");
    keys.put("s3.region", S3Config.DEFAULT_REGION);
    keys.put("s3.pathStyle", "false");
    // Committing segments built here (POST /segments/{t}/{s}/commit).
    keys.put("completionProtocol", "split");
    keys.put("commitDeadline", "2m");
    keys.put("uploadConcurrency", Integer.toString(CommitConfig.DEFAULT_UPLOAD_CONCURRENCY));
    keys.put("authFile", "(none: every route open)");
    // What the admin/peer listener accepts (ListenerLimits).
    keys.put(
        "limits.maxInitialLineLength",
        Integer.toString(ListenerLimits.DEFAULT_MAX_INITIAL_LINE_LENGTH));
    keys.put("limits.maxHeaderSize", Integer.toString(ListenerLimits.DEFAULT_MAX_HEADER_SIZE));
    keys.put("limits.maxConnections", Integer.toString(ListenerLimits.DEFAULT_MAX_CONNECTIONS));
    keys.put("limits.requestTimeout", ListenerLimits.DEFAULT_REQUEST_TIMEOUT.toSeconds() + "s");
    keys.put("limits.bodyReadTimeout", ListenerLimits.DEFAULT_BODY_READ_TIMEOUT.toSeconds() + "s");
    keys.put("limits.idleTimeout", ListenerLimits.DEFAULT_IDLE_TIMEOUT.toSeconds() + "s");
    SecurityKeys.describe(keys);
    return keys;
  }

  /**
   * Loads a config file; a missing, unreadable or malformed file, or an unknown key, is an error
   * naming it.
   */
  public static ServerSettings fromFile(Path file) {
    ServerSettings settings = new ServerSettings();
    if (file == null) {
      return settings;
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    try (Reader reader = Files.newBufferedReader(file)) {
      if (name.endsWith(".yml") || name.endsWith(".yaml")) {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(reader);
        if (root != null && !root.isObject()) {
          throw new InvalidRequestException(
              null, "config file " + file + " must hold a mapping of settings");
        }
        if (root != null) {
          flatten("", root, settings.values);
        }
      } else {
        Properties properties = new Properties();
        properties.load(reader);
        properties
            .stringPropertyNames()
            .forEach(key -> settings.values.put(key, properties.getProperty(key).trim()));
      }
    } catch (IOException e) {
      throw new InvalidRequestException(
          null, "cannot read config file " + file + ": " + e.getMessage(), e);
    }
    Set<String> unknown = new TreeSet<>(settings.values.keySet());
    unknown.removeAll(KEYS.keySet());
    if (!unknown.isEmpty()) {
      throw new InvalidRequestException(
          null,
          "unknown setting " + unknown + " in " + file + "; known settings: " + KEYS.keySet());
    }
    return settings;
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> into) {
    node.fields()
        .forEachRemaining(
            field -> {
              String key = prefix + field.getKey();
              if (field.getValue().isObject()) {
                flatten(key + ".", field.getValue(), into);
              } else if (!field.getValue().isNull()) {
                into.put(key, field.getValue().asText());
              }
            });
  }

  /** Sets a value from a flag; null leaves the file's value (or the default) in place. */
  public ServerSettings override(String key, Object flagValue) {
    if (!KEYS.containsKey(key)) {
      throw new IllegalArgumentException("no setting " + key);
    }
    if (flagValue != null) {
      values.put(key, flagValue.toString());
    }
    return this;
  }

  public ServerConfig toConfig() {
    S3Config s3 =
        S3Config.defaults()
            .withRegion(text("s3.region", S3Config.DEFAULT_REGION))
            .withPathStyle(Boolean.parseBoolean(text("s3.pathStyle", "false")));
    if (values.containsKey("s3.endpoint")) {
      s3 = s3.withEndpoint(uri("s3.endpoint"));
    }
    return new ServerConfig(
        values.containsKey("controller") ? uri("controller") : null,
        values.containsKey("dataDir") ? Path.of(values.get("dataDir")).toAbsolutePath() : null,
        text("host", ServerConfig.DEFAULT_HOST),
        integer("adminPort", ServerConfig.DEFAULT_ADMIN_PORT),
        values.get("instanceId"),
        values.containsKey("deepStore")
            ? io.segmenttransfer.core.store.SegmentStores.toUri(values.get("deepStore"))
            : null,
        integer("maxParallelDownloads", DataDirectoryConfig.DEFAULT_MAX_PARALLEL_DOWNLOADS),
        integer("maxParallelDownloadsPerTable", 0),
        integer("maxPeerUploads", ServerConfig.DEFAULT_MAX_PEER_UPLOADS),
        whole("peerBytesPerSecond", 0),
        duration("longPoll", ServerConfig.DEFAULT_LONG_POLL),
        duration("shutdownDeadline", ServerConfig.DEFAULT_SHUTDOWN_DEADLINE),
        values.containsKey("keyset") ? Path.of(values.get("keyset")) : null,
        s3,
        commitConfig(),
        values.containsKey("authFile") ? Path.of(values.get("authFile")) : null,
        listenerLimits(),
        SecurityKeys.read(values),
        codec("peerCodec", HttpStoreConfig.DEFAULT_PEER_CODEC),
        whole("peerCacheBytes", PeerServeConfig.DEFAULT_MAX_CACHE_BYTES));
  }

  private ListenerLimits listenerLimits() {
    ListenerLimits defaults = ListenerLimits.defaults();
    return defaults
        .withHeaderSizes(
            integer("limits.maxInitialLineLength", defaults.maxInitialLineLength()),
            integer("limits.maxHeaderSize", defaults.maxHeaderSize()))
        .withMaxConnections(integer("limits.maxConnections", defaults.maxConnections()))
        .withTimeouts(
            duration("limits.requestTimeout", defaults.requestTimeout()),
            duration("limits.bodyReadTimeout", defaults.bodyReadTimeout()),
            duration("limits.idleTimeout", defaults.idleTimeout()));
  }

  private CommitConfig commitConfig() {
    return CommitConfig.defaults()
        .withProtocol(
            CommitConfig.Protocol.parse(
                text("completionProtocol", CommitConfig.DEFAULT_PROTOCOL.name())))
        .withDeadline(duration("commitDeadline", CommitConfig.DEFAULT_DEADLINE))
        .withUploadConcurrency(
            integer("uploadConcurrency", CommitConfig.DEFAULT_UPLOAD_CONCURRENCY));
  }

  private Codec codec(String key, Codec fallback) {
    String value = values.get(key);
    if (value == null) {
      return fallback;
    }
    return Codec.named(value)
        .orElseThrow(
            () ->
                new InvalidRequestException(
                    null,
                    "setting "
                        + key
                        + " = '"
                        + value
                        + "' is not a codec (zstd, none, lz4, gzip)"));
  }

  private String text(String key, String fallback) {
    return values.getOrDefault(key, fallback);
  }

  private int integer(String key, int fallback) {
    long value = whole(key, fallback);
    if (value != (int) value) {
      throw new InvalidRequestException(
          null, "setting " + key + " = '" + values.get(key) + "' is too large");
    }
    return (int) value;
  }

  private long whole(String key, long fallback) {
    String value = values.get(key);
    try {
      return value == null ? fallback : Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(
          null, "setting " + key + " = '" + value + "' is not a whole number");
    }
  }

  private URI uri(String key) {
    return io.segmenttransfer.http.HttpUrls.parse(key, values.get(key));
  }

  /** {@code 30s}, {@code 500ms}, {@code 2m} or ISO-8601 ({@code PT30S}). */
  static Duration duration(String key, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.startsWith("pt") || v.startsWith("p")) {
        return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      if (v.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      if (v.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      return Duration.ofSeconds(Long.parseLong(v));
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new InvalidRequestException(
          null, "setting " + key + " = '" + value + "' is not a duration (e.g. 30s, 500ms, PT1M)");
    }
  }

  private Duration duration(String key, Duration fallback) {
    return values.containsKey(key) ? duration(key, values.get(key)) : fallback;
  }
}
