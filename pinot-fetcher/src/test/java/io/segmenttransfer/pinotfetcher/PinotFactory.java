package io.segmenttransfer.pinotfetcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.testing.DirectorySnapshot;
import io.segmenttransfer.core.testing.PinotFixtures;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pinot.common.utils.fetcher.SegmentFetcher;
import org.apache.pinot.common.utils.fetcher.SegmentFetcherFactory;
import org.apache.pinot.spi.env.PinotConfiguration;
import org.apache.pinot.spi.utils.CommonConstants;

/**
 * Pinot's {@link SegmentFetcherFactory} set up as a Pinot server sets it up: the server's
 * configuration with {@code pinot.server.segment.fetcher.protocols} and {@code <protocol>.class}
 * naming this plugin, its {@code pinot.server.segment.fetcher} subset handed to {@code init}.
 */
final class PinotFactory {

  static final List<String> PROTOCOLS = List.of("file", "http", "https", "s3");

  private PinotFactory() {}

  /**
   * Initialises the factory with this plugin for file, http, https and s3; {@code keys} are
   * per-protocol settings ({@code s3.endpoint}, {@code http.retry.count}, ...) relative to the
   * fetcher prefix.
   */
  static void init(Map<String, String> keys) throws Exception {
    String prefix = CommonConstants.Server.PREFIX_OF_CONFIG_OF_SEGMENT_FETCHER_FACTORY + ".";
    Map<String, Object> server = new LinkedHashMap<>();
    server.put(prefix + "protocols", String.join(",", PROTOCOLS));
    for (String protocol : PROTOCOLS) {
      server.put(prefix + protocol + ".class", SegmentTransferFetcher.class.getName());
      // Short waits between tries: the tests count tries, they do not need Pinot's 100 ms x5.
      server.put(prefix + protocol + ".retry.wait.ms", "10");
    }
    keys.forEach((key, value) -> server.put(prefix + key, value));
    SegmentFetcherFactory.init(
        new PinotConfiguration(server)
            .subset(CommonConstants.Server.PREFIX_OF_CONFIG_OF_SEGMENT_FETCHER_FACTORY));
    for (String protocol : PROTOCOLS) {
      assertThat(SegmentFetcherFactory.getSegmentFetcher(protocol))
          .isInstanceOf(SegmentTransferFetcher.class);
    }
  }

  /** Releases the plugin instances' threads and clients (Pinot itself never closes fetchers). */
  static void close() {
    for (String protocol : PROTOCOLS) {
      SegmentFetcher fetcher = SegmentFetcherFactory.getSegmentFetcher(protocol);
      if (fetcher instanceof SegmentTransferFetcher ours) {
        ours.close();
      }
    }
  }

  /** Asserts that {@code segmentDir} holds exactly the fixture's files, byte for byte. */
  static void assertSegment(Path segmentDir, PinotFixtures.Archive fixture) {
    assertThat(segmentDir.getFileName().toString()).isEqualTo(fixture.segmentName());
    Map<String, String> actual = new TreeMap<>();
    DirectorySnapshot.of(segmentDir)
        .forEach(
            (path, sha) -> {
              if (!path.endsWith("/")) {
                actual.put(path, sha);
              }
            });
    Map<String, String> expected = new TreeMap<>();
    fixture.files().forEach((path, entry) -> expected.put(path, entry.sha256()));
    assertThat(actual).isEqualTo(expected);
  }
}
