package io.segmenttransfer.server.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.error.InvalidRequestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's peer settings from the config file: {@code peerCodec} (what a server asks its peers
 * for, down to its HTTP store) and {@code peerCacheBytes}.
 */
class ServerSettingsPeerTest {

  @TempDir Path dir;

  @Test
  void zstdUnlessTheFileSaysOtherwise() throws IOException {
    assertThat(settings(null).toConfig().httpStoreConfig().peerCodec()).isEqualTo(Codec.ZSTD);

    Path yaml = Files.writeString(dir.resolve("server.yml"), "peerCodec: none\n");
    assertThat(settings(yaml).toConfig().httpStoreConfig().peerCodec()).isEqualTo(Codec.NONE);

    Path properties = Files.writeString(dir.resolve("server.properties"), "peerCodec=LZ4\n");
    ServerConfig config = settings(properties).toConfig();
    assertThat(config.peerCodec()).isEqualTo(Codec.LZ4);
    assertThat(config.withAuthFile(null).peerCodec())
        .as("kept by every with...")
        .isEqualTo(Codec.LZ4);
  }

  /** {@code peerCacheBytes} bounds the archives kept for resumed peer downloads. */
  @Test
  void thePeerCacheBoundIsFourGibUnlessTheFileSaysOtherwise() throws IOException {
    assertThat(settings(null).toConfig().peerCacheBytes()).isEqualTo(4L << 30);

    Path yaml = Files.writeString(dir.resolve("cache.yml"), "peerCacheBytes: 10737418240\n");
    ServerConfig config = settings(yaml).toConfig();
    assertThat(config.peerCacheBytes()).isEqualTo(10L << 30);
    assertThat(config.withPeerCodec(Codec.NONE).peerCacheBytes()).isEqualTo(10L << 30);

    Path words = Files.writeString(dir.resolve("words.yml"), "peerCacheBytes: 4G\n");
    assertThatThrownBy(() -> settings(words).toConfig())
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("peerCacheBytes = '4G' is not a whole number");
    Path negative = Files.writeString(dir.resolve("negative.yml"), "peerCacheBytes: -1\n");
    assertThatThrownBy(() -> settings(negative).toConfig())
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("peerCacheBytes must not be negative (0 keeps no archive), was -1");
    Path huge = Files.writeString(dir.resolve("huge.yml"), "maxPeerUploads: 4294967296\n");
    assertThatThrownBy(() -> settings(huge).toConfig())
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("maxPeerUploads = '4294967296' is too large");
  }

  @Test
  void aValueThatIsNoCodecIsRefusedNamingTheKey() throws IOException {
    Path yaml = Files.writeString(dir.resolve("server.yml"), "peerCodec: brotli\n");
    assertThatThrownBy(() -> settings(yaml).toConfig())
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("peerCodec = 'brotli' is not a codec (zstd, none, lz4, gzip)");
  }

  private ServerSettings settings(Path file) {
    return ServerSettings.fromFile(file)
        .override("controller", "http://127.0.0.1:1")
        .override("dataDir", dir.resolve("server"));
  }
}
