package io.segmenttransfer.controller;

import static io.segmenttransfer.controller.ControllerTestSupport.TIMEOUT;
import static io.segmenttransfer.controller.ControllerTestSupport.call;
import static io.segmenttransfer.controller.ControllerTestSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import io.segmenttransfer.controller.client.ControllerClient;
import io.segmenttransfer.core.archive.ArchiveLimits;
import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.core.testing.TestArchives;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/**
 * A tar push is decoded with the download's decoder and limits: a decompression bomb is refused
 * with 413, an entry escaping the segment directory with 400, and neither leaves anything in the
 * deep store or the metadata; a real segment under the same limits is still accepted.
 */
class HostileUploadTest {

  private static final TableNameWithType EVENTS = TableNameWithType.parse(PinotFixtures.TABLE);

  /** Far above the fixture segments (about 1 MiB unpacked), far below the bombs. */
  private static final long MAX_UNCOMPRESSED = 8L << 20;

  @TempDir Path root;

  /** The controller's data directory, its deep store under it. */
  private Path dir;

  private EmbeddedController controller;
  private ControllerClient client;

  @BeforeEach
  void start() {
    start("small-bytes", ArchiveLimits.defaults().withMaxUncompressedBytes(MAX_UNCOMPRESSED));
  }

  private void start(String name, ArchiveLimits limits) {
    dir = root.resolve(name);
    controller =
        EmbeddedController.start(
            ControllerConfig.defaults(dir).withPort(0).withArchiveLimits(limits));
    client = ControllerClient.create(controller.baseUrl());
    client.createTable(EVENTS, 1).block(TIMEOUT);
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  @Test
  void aRealSegmentUnderTheLimitsIsAccepted() {
    PinotFixtures.Archive fixture = PinotFixtures.archive("tar.zst");

    StepVerifier.create(client.uploadSegment(EVENTS, fixture.file()))
        .expectComplete()
        .verify(TIMEOUT);

    assertThat(
            client
                .metadata(SegmentId.of(PinotFixtures.TABLE, fixture.segmentName()))
                .block(TIMEOUT)
                .crc())
        .isEqualTo(fixture.crc());
    assertThat(storedFiles())
        .containsExactly(
            dir.resolve("deepstore/events_OFFLINE/" + fixture.segmentName() + ".tar.zst"));
  }

  @Test
  void aZstdBombOverTheUncompressedLimitIs413AndStoresNothing() {
    byte[] bomb = bomb(Codec.ZSTD, 64 << 20);
    assertThat(bomb.length).isLessThan(64 << 10); // the point of a bomb: a small upload

    ControllerTestSupport.Reply reply = upload("bomb.tar.zst", bomb);

    assertThat(reply.status()).as(reply.text()).isEqualTo(413);
    assertThat(reply.json().get("error").asText()).contains(Long.toString(MAX_UNCOMPRESSED));
    assertNothingStored();
  }

  @Test
  void aGzipBombOverTheCompressionRatioIs413AndStoresNothing() {
    controller.close();
    // Bytes enough for the bomb; the ratio is what must stop it.
    start("small-ratio", ArchiveLimits.defaults().withMaxCompressionRatio(100, 1 << 20));

    ControllerTestSupport.Reply reply = upload("bomb.tar.gz", bomb(Codec.GZIP, 32 << 20));

    assertThat(reply.status()).as(reply.text()).isEqualTo(413);
    assertThat(reply.json().get("error").asText()).contains("compression ratio");
    assertNothingStored();
  }

  @Test
  void anEntryEscapingTheSegmentDirectoryIs400AndStoresNothing() {
    for (List<String> entries :
        List.of(
            List.of("../x"),
            List.of("seg/", "seg/../../x"),
            List.of("seg/", "seg/v3/../../../x"))) {
      byte[] archive =
          TestArchives.compress(
              Codec.GZIP,
              TestArchives.tar(
                  out -> {
                    try {
                      for (String entry : entries) {
                        if (entry.endsWith("/")) {
                          TestArchives.putDirectory(out, entry);
                        } else {
                          TestArchives.putFile(
                              out, entry, "escaped".getBytes(StandardCharsets.UTF_8));
                        }
                      }
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  }));

      ControllerTestSupport.Reply reply = upload("evil.tar.gz", archive);

      assertThat(reply.status()).as(entries + ": " + reply.text()).isEqualTo(400);
      assertThat(reply.json().get("error").asText()).as(entries.toString()).contains("escapes");
      assertNothingStored();
    }
    assertThat(root.resolve("x")).doesNotExist();
    assertThat(dir.resolve("x")).doesNotExist();
  }

  /**
   * A valid segment archive but for one file of {@code zeros} zero bytes, compressed with {@code
   * codec}.
   */
  private static byte[] bomb(Codec codec, int zeros) {
    Map<String, byte[]> files =
        TestArchives.segmentFiles(Map.of("v3/columns.psf", new byte[zeros]));
    return TestArchives.archive(codec, "bomb_0", files);
  }

  private ControllerTestSupport.Reply upload(String fileName, byte[] archive) {
    return call(
        controller.baseUrl(),
        HttpMethod.POST,
        "/v2/segments?tableName=events&tableType=OFFLINE",
        SegmentUploadTest.multipart("b0undary", fileName, archive),
        Map.of("Content-Type", "multipart/form-data; boundary=b0undary"));
  }

  private void assertNothingStored() {
    assertThat(storedFiles()).isEmpty();
    assertThat(get(controller.baseUrl(), "/segments/events").json().toString())
        .isEqualTo("[{\"OFFLINE\":[]}]");
  }

  /** Every file under the deep store, temporary ones included. */
  private List<Path> storedFiles() {
    Path deepStore = dir.resolve("deepstore");
    if (!Files.exists(deepStore)) {
      return List.of();
    }
    try (Stream<Path> all = Files.walk(deepStore)) {
      return all.filter(Files::isRegularFile).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
