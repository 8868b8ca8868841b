package io.segmenttransfer.core.local;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.core.error.SegmentWriteException;
import io.segmenttransfer.core.error.StateConflictException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process at a time on a data directory: {@code <dataDir>/.segment-transfer.lock} holds an OS
 * file lock ({@link FileChannel#tryLock()}) for as long as its holder runs, and names the holder
 * (pid, command, start time) so a refused second process can say who has it.
 *
 * <p>The OS lock is what counts, not the file: the kernel releases it when the holder's process
 * ends however it ends (exit, SIGKILL, crash), so a crash never leaves the directory locked. A
 * clean {@link #close()} empties the file before releasing; a file still naming a holder whose lock
 * is gone is therefore a crashed holder's, and {@link #previousHolder()} reports it (the data
 * directory is then as that crash left it, and the recovery rules apply). The file is never
 * deleted: deleting it on release would let a process that opened the old file and one that created
 * a new file both hold "the" lock.
 *
 * <p>Within one JVM, a second acquisition of a directory this JVM already holds is refused the same
 * way (the JDK reports it as an overlapping lock).
 *
 * <p>Blocking file I/O: call it from a thread that may block (a command's thread, a bounded-elastic
 * worker), never an event loop.
 */
public final class DataDirectoryLock implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DataDirectoryLock.class);

  /** The lock file's name inside the data directory (not a table directory: recovery skips it). */
  public static final String FILE_NAME = ".segment-transfer.lock";

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;
  private final Holder holder;
  private final @Nullable Holder previousHolder;

  /** Who holds (or held) a data directory: what the lock file says. */
  public record Holder(long pid, String command, Instant started) {

    String text() {
      return "pid=" + pid + "\ncommand=" + command + "\nstarted=" + started + "\n";
    }

    static Optional<Holder> parse(String text) {
      long pid = -1;
      String command = "?";
      Instant started = null;
      for (String line : text.split("\n")) {
        int eq = line.indexOf('=');
        if (eq < 0) {
          continue;
        }
        String key = line.substring(0, eq).strip();
        String value = line.substring(eq + 1).strip();
        try {
          switch (key) {
            case "pid" -> pid = Long.parseLong(value);
            case "command" -> command = value;
            case "started" -> started = Instant.parse(value);
            default -> {
              // A newer version's key: ignored, the holder is still named by what is known.
            }
          }
        } catch (RuntimeException e) {
          // A half-written file (the holder died while writing it): name what can be read.
        }
      }
      return pid < 0 ? Optional.empty() : Optional.of(new Holder(pid, command, started));
    }

    /** "pid 1234 (server, started 2026-12-06T21:40:00Z)". */
    public String describe() {
      return "pid " + pid + " (" + command + (started == null ? "" : ", started " + started) + ")";
    }
  }

  private DataDirectoryLock(
      Path file, FileChannel channel, FileLock lock, Holder holder, @Nullable Holder previous) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
    this.holder = holder;
    this.previousHolder = previous;
  }

  /**
   * Takes the data directory for this process, creating it when missing.
   *
   * @param command what this process runs (server, load, ...), written for a refused second one
   * @throws StateConflictException when another process (or this JVM) holds it; the message names
   *     the holder
   * @throws InvalidRequestException when {@code dataDir} exists and is not a directory
   * @throws SegmentWriteException when the directory or its lock file cannot be created or written
   */
  public static DataDirectoryLock acquire(Path dataDir, String command) {
    Path dir = dataDir.toAbsolutePath().normalize();
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new InvalidRequestException(null, "data directory " + dir + " is not a directory");
    }
    Path file = dir.resolve(FILE_NAME);
    FileChannel channel;
    try {
      Files.createDirectories(dir);
      channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new SegmentWriteException(
          null, "cannot use data directory " + dir + ": " + reason(e), e);
    }
    try {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        String who = read(channel).map(Holder::describe).orElse("another process");
        channel.close();
        throw new StateConflictException(
            null,
            "data directory "
                + dir
                + " is in use by "
                + who
                + ": stop it first, or give this command another --data-dir");
      }
      Optional<Holder> previous = read(channel);
      Holder self =
          new Holder(
              ProcessHandle.current().pid(),
              command,
              ProcessHandle.current().info().startInstant().orElse(Instant.now()));
      write(channel, self.text());
      previous.ifPresent(
          crashed ->
              LOG.warn(
                  "data directory {} was left by {} without a clean exit: it is as that crash left"
                      + " it, and recovery finishes or rolls back its interrupted swaps",
                  dir,
                  crashed.describe()));
      return new DataDirectoryLock(file, channel, lock, self, previous.orElse(null));
    } catch (IOException e) {
      closeQuietly(channel);
      throw new SegmentWriteException(
          null, "cannot write the lock file " + file + ": " + reason(e), e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  /** This process, as the lock file names it. */
  public Holder holder() {
    return holder;
  }

  /**
   * The holder a crash left in the lock file (it ended without releasing cleanly), if any: the
   * directory is as that crash left it.
   */
  public Optional<Holder> previousHolder() {
    return Optional.ofNullable(previousHolder);
  }

  public Path file() {
    return file;
  }

  /** Empties the lock file (a clean release) and releases the OS lock. Idempotent. */
  @Override
  public void close() {
    if (!channel.isOpen()) {
      return;
    }
    try {
      channel.truncate(0);
      channel.force(true);
      lock.release();
    } catch (IOException e) {
      // The OS lock goes with the channel anyway; a non-empty file only reads as a crash later.
    } finally {
      closeQuietly(channel);
    }
  }

  private static Optional<Holder> read(FileChannel channel) throws IOException {
    long size = channel.size();
    if (size == 0 || size > 4096) {
      return Optional.empty();
    }
    ByteBuffer buffer = ByteBuffer.allocate((int) size);
    while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) >= 0) {
      // Reads at explicit positions: the channel's own position is left alone.
    }
    return Holder.parse(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
  }

  private static void write(FileChannel channel, String text) throws IOException {
    channel.truncate(0);
    ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    long position = 0;
    while (bytes.hasRemaining()) {
      position += channel.write(bytes, position);
    }
    channel.force(true);
  }

  private static String reason(IOException e) {
    return e instanceof java.nio.file.AccessDeniedException
        ? "permission denied"
        : e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null
            ? fs.getReason()
            : String.valueOf(e.getMessage());
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // Nothing to release beyond the descriptor.
    }
  }
}
