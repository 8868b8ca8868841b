package io.segmenttransfer.core.transfer;

import io.segmenttransfer.core.error.SegmentWriteException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The file an archive fetch writes: a temporary sibling of the destination, moved onto it only once
 * every byte is written and forced to disk, deleted otherwise. Every step blocks, so each runs on
 * the given scheduler.
 */
final class ArchiveFileSink {

  private final Path dest;
  private final Path temp;
  private final Scheduler scheduler;

  ArchiveFileSink(Path dest, Scheduler scheduler) {
    this.dest = dest;
    // Same directory, so the final move is a rename on one file system.
    this.temp = dest.resolveSibling(dest.getFileName() + ".part-" + UUID.randomUUID());
    this.scheduler = scheduler;
  }

  Mono<FileChannel> open() {
    return Mono.fromCallable(
            () -> {
              try {
                Path parent = dest.toAbsolutePath().getParent();
                if (parent != null) {
                  Files.createDirectories(parent);
                }
                return FileChannel.open(
                    temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
              } catch (IOException e) {
                throw failure("cannot create", e);
              }
            })
        .subscribeOn(scheduler);
  }

  void writeFully(FileChannel channel, ByteBuffer chunk) {
    try {
      while (chunk.hasRemaining()) {
        channel.write(chunk);
      }
    } catch (IOException e) {
      throw failure("cannot write", e);
    }
  }

  /** Forces, closes and moves the complete file onto the destination. */
  Mono<Void> commit(FileChannel channel) {
    return Mono.<Void>fromRunnable(
            () -> {
              try {
                channel.force(true);
                channel.close();
                Files.move(
                    temp,
                    dest,
                    StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
              } catch (IOException e) {
                deleteQuietly();
                throw failure("cannot move the fetched archive onto", e);
              }
            })
        .subscribeOn(scheduler);
  }

  /** Closes and deletes the temporary file; the destination is left as it was. */
  Mono<Void> discard(FileChannel channel) {
    return Mono.<Void>fromRunnable(
            () -> {
              try {
                channel.close();
              } catch (IOException e) {
                // Deleting follows; a close failure changes nothing about what is left behind.
              }
              deleteQuietly();
            })
        .subscribeOn(scheduler);
  }

  private void deleteQuietly() {
    try {
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      // Best effort on the way out: the failure being reported matters more than this one.
    }
  }

  private SegmentWriteException failure(String what, IOException cause) {
    return new SegmentWriteException(null, what + " " + dest + ": " + cause.getMessage(), cause);
  }
}
