package io.segmenttransfer.server.launcher;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * A lock file in an unpacked application's directory: every JVM that runs from the directory (an
 * in-process daemon, the parent of a relaunched command) holds it shared for its whole life, and
 * {@link CachePruner} deletes a directory only while holding it exclusively. A running JVM's jar
 * must not go: class loading survives an unlinked file, but a {@code ServiceLoader} reopens the jar
 * by path on every lookup (the AWS SDK's XML parser makes one per new thread), and fails. Released
 * by the operating system when the JVM exits, however it exits.
 */
final class InUseLock {

  static final String FILE_NAME = "in-use.lock";

  /** The channels of the locks this JVM holds: kept reachable, as a closed channel unlocks. */
  private static final Map<Path, FileChannel> HELD = new HashMap<>();

  private InUseLock() {}

  /**
   * Holds {@code dir}'s lock shared until this JVM exits, creating the directory if need be.
   * Returns false when a pruner deleted the directory while this JVM waited for the lock: the
   * caller starts again.
   */
  static synchronized boolean holdShared(Path dir) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    if (HELD.containsKey(file)) {
      return true;
    }
    Files.createDirectories(dir);
    FileChannel channel;
    try {
      // Reading is all a shared lock needs, so a cache this user may not write still locks.
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException absent) {
      channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
    try {
      channel.lock(0, Long.MAX_VALUE, true);
      if (!Files.exists(file)) {
        channel.close();
        return false;
      }
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    HELD.put(file, channel);
    return true;
  }

  /**
   * Runs {@code delete} while holding {@code dir}'s lock exclusively; returns false, without
   * running it, when any JVM (this one included) holds the lock.
   */
  static synchronized boolean whenUnused(Path dir, Deletion delete) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    if (HELD.containsKey(file)) {
      return false;
    }
    try (FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock lock;
      try {
        lock = channel.tryLock(0, Long.MAX_VALUE, false);
      } catch (OverlappingFileLockException e) {
        return false;
      }
      if (lock == null) {
        return false;
      }
      delete.run();
      return true;
    }
  }

  /** Work done under the exclusive lock. */
  @FunctionalInterface
  interface Deletion {
    void run() throws IOException;
  }
}
