package io.segmenttransfer.benchmarks;

import io.segmenttransfer.s3.S3Config;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The deep store a commit benchmark writes to, seen from outside: where the server's deep store is,
 * whether an archive exists there (what the benchmark polls), and Pinot's upload of a local tar.gz
 * into it.
 */
public interface CommitDeepStore extends AutoCloseable {

  /** {@code file} or {@code s3}. */
  String name();

  /**
   * The deep store's root, as the server's {@code deepStore} setting and {@code DeepStoreLayout}
   * take it.
   */
  URI base();

  /** S3 client settings the server needs for this store; null for the defaults (no S3). */
  @Nullable S3Config serverS3();

  /**
   * When the complete object was there ({@link System#nanoTime()}; writes become visible only once
   * complete), or -1 if it is not yet. Cheap enough to poll every millisecond: it sends no request.
   */
  long completedAt(URI object);

  /** The object's size in bytes, or -1 when it does not exist. Blocking. */
  long size(URI object) throws IOException;

  /**
   * Pinot's upload of the committed segment's tar.gz: {@code LocalPinotFS.copyFromLocalFile} (a
   * file copy) or {@code S3PinotFS.copyFromLocalFile} (one {@code PutObject} of the file).
   * Blocking.
   */
  void pinotUpload(Path file, URI target) throws IOException;

  @Override
  void close();

  /** A directory on the local disk, as {@code file://}. */
  static CommitDeepStore file(Path root) throws IOException {
    Files.createDirectories(root);
    return new LocalFiles(root.toAbsolutePath().normalize());
  }

  /**
   * An S3 API server in this JVM (S3Proxy, objects as files under {@code root}), bucket {@value
   * InProcessS3Server#BUCKET}.
   */
  static CommitDeepStore s3(Path root) throws IOException {
    InProcessS3Server server = InProcessS3Server.start(root);
    try {
      return new S3(server);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** {@code file:///...}. */
  final class LocalFiles implements CommitDeepStore {
    private final Path root;

    private LocalFiles(Path root) {
      this.root = root;
    }

    @Override
    public String name() {
      return "file";
    }

    @Override
    public URI base() {
      return root.toUri();
    }

    @Override
    public @Nullable S3Config serverS3() {
      return null;
    }

    @Override
    public long completedAt(URI object) {
      // The server's file store renames a whole file into place: seen now, complete now.
      return Files.isRegularFile(Path.of(object)) ? System.nanoTime() : -1;
    }

    @Override
    public long size(URI object) throws IOException {
      Path path = Path.of(object);
      return Files.isRegularFile(path) ? Files.size(path) : -1;
    }

    @Override
    public void pinotUpload(Path file, URI target) throws IOException {
      Path to = Path.of(target);
      Files.createDirectories(to.getParent());
      Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
      Directories.deleteRecursively(root);
    }
  }

  /** {@code s3://segments/deepstore/...} on an in-process S3 API server. */
  final class S3 implements CommitDeepStore {
    private final InProcessS3Server server;
    private final S3AsyncClient client;

    private S3(InProcessS3Server server) {
      this.server = server;
      this.client = InProcessS3Server.sdkClient(server.endpoint(), 16);
      client
          .createBucket(CreateBucketRequest.builder().bucket(InProcessS3Server.BUCKET).build())
          .join();
    }

    @Override
    public String name() {
      return "s3";
    }

    @Override
    public URI base() {
      return InProcessS3Server.objectUri("deepstore");
    }

    @Override
    public S3Config serverS3() {
      return InProcessS3Server.clientConfig(server.endpoint());
    }

    @Override
    public long completedAt(URI object) {
      return server.completedAt(object);
    }

    @Override
    public long size(URI object) throws IOException {
      try {
        HeadObjectResponse head =
            client
                .headObject(
                    HeadObjectRequest.builder()
                        .bucket(object.getHost())
                        .key(object.getPath().substring(1))
                        .build())
                .join();
        return head.contentLength();
      } catch (CompletionException e) {
        if (e.getCause() instanceof NoSuchKeyException
            || e.getCause() instanceof S3Exception s3 && s3.statusCode() == 404) {
          return -1;
        }
        throw new IOException("HeadObject " + object + " failed", e.getCause());
      }
    }

    @Override
    public void pinotUpload(Path file, URI target) throws IOException {
      try {
        client
            .putObject(
                PutObjectRequest.builder()
                    .bucket(target.getHost())
                    .key(target.getPath().substring(1))
                    .build(),
                AsyncRequestBody.fromFile(file))
            .join();
      } catch (CompletionException e) {
        throw new IOException("PutObject " + target + " failed", e.getCause());
      }
    }

    @Override
    public void close() {
      client.close();
      server.close();
    }
  }
}
