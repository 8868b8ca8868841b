package io.segmenttransfer.core.local;

import java.nio.file.Path;

/**
 * A separate JVM that takes a data directory's lock, says so on stdout, and holds it until its
 * stdin closes (or it is killed): the other process in {@link DataDirectoryLockTest}.
 */
public final class LockHolderProcess {

  private LockHolderProcess() {}

  public static void main(String[] args) throws Exception {
    try (DataDirectoryLock lock = DataDirectoryLock.acquire(Path.of(args[0]), "holder-test")) {
      System.out.println("locked by " + lock.holder().pid());
      System.out.flush();
      while (System.in.read() >= 0) {
        // Held until the parent closes our stdin.
      }
    } catch (RuntimeException e) {
      System.out.println("refused: " + e.getMessage());
      System.exit(1);
    }
  }
}
