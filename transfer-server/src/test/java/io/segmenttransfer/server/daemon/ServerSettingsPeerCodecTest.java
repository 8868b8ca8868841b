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

/** {@code peerCodec}: what a server asks its peers for, from the config file to its HTTP store. */
class ServerSettingsPeerCodecTest {

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
