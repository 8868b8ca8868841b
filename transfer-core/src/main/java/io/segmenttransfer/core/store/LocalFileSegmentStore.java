package io.segmenttransfer.core.store;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SourceAccessDeniedException;
import io.segmenttransfer.core.error.SourceChangedException;
import io.segmenttransfer.core.error.SourceException;
import io.segmenttransfer.core.error.SourceNotFoundException;
import io.segmenttransfer.core.error.SourceUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.UUID;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The embedded default deep store: archives as files ({@code file://} URIs). Reads are positional
 * reads of one chunk per request on the given blocking-capable scheduler, into a new heap chunk, or
 * into one the reader gave back when it lent its {@link ReadBuffers}; writes go to a temporary
 * sibling that is renamed over the target only once complete.
 */
public final class LocalFileSegmentStore implements SegmentStore {

  public static final int DEFAULT_CHUNK_SIZE = 256 * 1024;

  private final Scheduler scheduler;
  private final int chunkSize;

  public LocalFileSegmentStore(Scheduler scheduler) {
    this(scheduler, DEFAULT_CHUNK_SIZE);
  }

  public LocalFileSegmentStore(Scheduler scheduler, int chunkSize) {
    if (chunkSize <= 0) {
      throw new IllegalArgumentException("chunkSize must be positive, was " + chunkSize);
    }
    this.scheduler = scheduler;
    this.chunkSize = chunkSize;
  }

  @Override
  public Set<String> schemes() {
    return Set.of("file");
  }

  @Override
  public Flux<ByteBuffer> read(URI uri, long offset) {
    return Flux.deferContextual(
            context -> {
              Path path = path(uri);
              // A reader that lends its buffers gets its consumed chunks refilled instead of new
              // ones (ReadBuffers: the extraction pipeline does, the peer endpoint does not).
              ReadBuffers lent = ReadBuffers.in(context).orElse(null);
              return Flux.using(
                  () -> open(uri, path, offset),
                  channel ->
                      Flux.<ByteBuffer, Long>generate(
                          () -> offset,
                          (position, sink) -> {
                            // Heap, not direct: each chunk goes to the subscriber for good, and a
                            // direct buffer per chunk piles up native memory until a GC frees it.
                            ByteBuffer chunk =
                                lent != null
                                    ? lent.take(chunkSize)
                                    : ByteBuffer.allocate(chunkSize);
                            int n;
                            try {
                              n = channel.read(chunk, position);
                            } catch (ClosedChannelException e) {
                              // Only this read's cleanup closes the channel, and only once the
                              // subscriber cancelled (the close waits for this read): nobody
                              // listens any more, and an error would be logged as dropped.
                              sink.complete();
                              return position;
                            } catch (IOException e) {
                              sink.error(map(uri, e));
                              return position;
                            }
                            if (n < 0) {
                              sink.complete();
                              return position;
                            }
                            sink.next(chunk.flip());
                            return position + n;
                          }),
                  LocalFileSegmentStore::closeQuietly);
            })
        .subscribeOn(scheduler)
        // A cancel closes the channel, and closing waits for a read in progress on another thread:
        // it must not run on the canceller's thread, often an event loop (an HTTP client whose
        // request body this is, answered before it was sent).
        .cancelOn(scheduler);
  }

  private FileChannel open(URI uri, Path path, long offset) throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(path, StandardOpenOption.READ);
    } catch (IOException e) {
      throw map(uri, e);
    }
    long size = channel.size();
    if (offset < 0 || offset > size) {
      closeQuietly(channel);
      throw new SourceChangedException(
          uri, "cannot read from byte " + offset + " of a " + size + "-byte file");
    }
    return channel;
  }

  @Override
  public Mono<ObjectInfo> stat(URI uri) {
    return Mono.fromCallable(
            () -> {
              Path path = path(uri);
              try {
                BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
                if (!attrs.isRegularFile()) {
                  throw new SourceNotFoundException(uri, "not a regular file");
                }
                String version =
                    attrs.size()
                        + "-"
                        + attrs.lastModifiedTime().toMillis()
                        + "-"
                        + attrs.fileKey();
                return new ObjectInfo(uri, attrs.size(), version);
              } catch (IOException e) {
                throw map(uri, e);
              }
            })
        .subscribeOn(scheduler);
  }

  @Override
  public Mono<Void> write(URI uri, Flux<ByteBuffer> content) {
    return Mono.defer(
        () -> {
          Path target = path(uri);
          Path temp =
              target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".part");
          return Mono.usingWhen(
              Mono.fromCallable(
                      () -> {
                        Files.createDirectories(target.getParent());
                        return FileChannel.open(
                            temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                      })
                  .onErrorMap(IOException.class, e -> map(uri, e))
                  .subscribeOn(scheduler),
              channel ->
                  content
                      .publishOn(scheduler, 4)
                      .doOnNext(buffer -> writeFully(uri, channel, buffer))
                      .then(
                          Mono.fromCallable(
                              () -> {
                                channel.force(false);
                                channel.close();
                                Files.move(
                                    temp,
                                    target,
                                    StandardCopyOption.ATOMIC_MOVE,
                                    StandardCopyOption.REPLACE_EXISTING);
                                return true;
                              }))
                      .onErrorMap(IOException.class, e -> map(uri, e))
                      .then(),
              channel -> Mono.empty(),
              (channel, error) -> discard(channel, temp),
              channel -> discard(channel, temp));
        });
  }

  private Mono<Void> discard(FileChannel channel, Path temp) {
    return Mono.<Void>fromRunnable(
            () -> {
              closeQuietly(channel);
              try {
                Files.deleteIfExists(temp);
              } catch (IOException ignored) {
                // Best effort: a leftover ".part" file is never read as an archive.
              }
            })
        .subscribeOn(scheduler);
  }

  private static void writeFully(URI uri, FileChannel channel, ByteBuffer buffer) {
    try {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException e) {
      throw map(uri, e);
    }
  }

  @Override
  public Mono<Void> delete(URI uri) {
    return Mono.<Void>fromCallable(
            () -> {
              try {
                Files.deleteIfExists(path(uri));
              } catch (IOException e) {
                throw map(uri, e);
              }
              return null;
            })
        .subscribeOn(scheduler);
  }

  static Path path(URI uri) {
    if (uri.getScheme() == null) {
      return Path.of(uri.getPath()).toAbsolutePath();
    }
    if (!"file".equalsIgnoreCase(uri.getScheme())) {
      throw new InvalidRequestException(null, "not a file URI: " + uri);
    }
    return Path.of(uri);
  }

  /** The one place file-system errors become source errors. */
  private static SourceException map(URI uri, IOException e) {
    if (e instanceof NoSuchFileException) {
      return new SourceNotFoundException(uri, "no such file", e);
    }
    if (e instanceof AccessDeniedException) {
      return new SourceAccessDeniedException(uri, "access denied", e);
    }
    return new SourceUnavailableException(uri, "I/O error: " + e.getMessage(), e);
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Nothing was written through a read channel; a close failure loses nothing.
    }
  }
}
