package io.segmenttransfer.peer;

import com.github.luben.zstd.ZstdInputStream;
import io.netty.handler.codec.http.HttpHeaders;
import io.segmenttransfer.core.testing.DirectorySnapshot;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import reactor.netty.http.client.HttpClient;

/** Raw HTTP exchanges and independent archive reading for tests. */
final class Answers {

  /** A whole response. */
  record Answer(int status, HttpHeaders headers, byte[] body) {
    String header(CharSequence name) {
      return headers.get(name);
    }
  }

  /** An archive entry as commons-compress reads it: SHA-256 for files, "dir" for directories. */
  record Entry(String name, String sha256, long mtimeSeconds) {}

  private static final HttpClient CLIENT = HttpClient.create().compress(false);

  private Answers() {}

  static Answer get(URI uri, Consumer<HttpHeaders> headers) {
    return exchange(uri, "GET", headers);
  }

  static Answer exchange(URI uri, String method, Consumer<HttpHeaders> headers) {
    return CLIENT
        .headers(headers)
        .request(io.netty.handler.codec.http.HttpMethod.valueOf(method))
        .uri(uri.toString())
        .responseSingle(
            (response, body) ->
                body.asByteArray()
                    .defaultIfEmpty(new byte[0])
                    .map(
                        bytes ->
                            new Answer(
                                response.status().code(),
                                response.responseHeaders().copy(),
                                bytes)))
        .block(Duration.ofSeconds(30));
  }

  /**
   * The entries of a gzip, zstd or plain tar, in archive order, read with JDK gzip / zstd-jni and
   * commons-compress.
   */
  static Map<String, Entry> entries(byte[] archive) {
    Map<String, Entry> entries = new LinkedHashMap<>();
    InputStream raw = new ByteArrayInputStream(archive);
    try (InputStream decompressed =
            switch (archive[0] & 0xff) {
              case 0x1f -> new GZIPInputStream(raw);
              case 0x28 -> new ZstdInputStream(raw);
              default -> raw;
            };
        TarArchiveInputStream tar = new TarArchiveInputStream(decompressed)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        String sha = entry.isDirectory() ? "dir" : DirectorySnapshot.sha256(tar.readAllBytes());
        entries.put(
            entry.getName(), new Entry(entry.getName(), sha, entry.getModTime().getTime() / 1000));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return entries;
  }
}
