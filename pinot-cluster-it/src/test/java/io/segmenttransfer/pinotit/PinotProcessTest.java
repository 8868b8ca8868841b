package io.segmenttransfer.pinotit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness's failure reports and stop, on real child JVMs (no cluster needed). */
class PinotProcessTest {

  @TempDir Path dir;

  @Test
  void pinotsJarsAreNotOnThisTestClasspath() {
    // They are launched from their own directory; on this class path they would meet the
    // service's Netty 4.2 and Jackson 2.22 with their Netty 4.1 and Jackson 2.12.
    assertThatThrownBy(() -> Class.forName("org.apache.pinot.tools.admin.PinotAdministrator"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThat(PinotLib.directory().resolve("pinot-tools-0.11.0.jar")).isRegularFile();
  }

  @Test
  void aRoleThatExitsWhileStartingFailsAtOnceNamingItselfWithItsConsoleTail() throws Exception {
    Path log4j = Files.writeString(dir.resolve("log4j2.xml"), "<Configuration/>");
    try (PinotProcess process =
        PinotProcess.launch(
            "controller", PinotLib.directory(), dir, log4j, 64, "no.such.MainClass")) {
      long started = System.nanoTime();

      assertThatThrownBy(() -> process.awaitReady(() -> false, Duration.ofMinutes(2)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("pinot controller exited with 1 while starting")
          .hasMessageContaining("no.such.MainClass")
          .hasMessageContaining(dir.resolve("controller.out").toString());
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .as("failed when the process ended, not at the deadline")
          .isLessThan(Duration.ofMinutes(1));
    }
  }

  @Test
  void aRoleNotReadyInTimeFailsWithTheDeadlineAndIsStoppedByClose() throws Exception {
    Path log4j = Files.writeString(dir.resolve("log4j2.xml"), "<Configuration/>");
    // A ZooKeeper server stays up; the readiness check here never holds.
    Path config =
        Files.writeString(
            dir.resolve("zoo.cfg"),
            "tickTime=2000\ndataDir="
                + dir.resolve("zk")
                + "\nclientPort="
                + FreePorts.next()
                + "\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n");
    PinotProcess process =
        PinotProcess.launch(
            "zookeeper",
            PinotLib.directory(),
            dir,
            log4j,
            64,
            "org.apache.zookeeper.server.ZooKeeperServerMain",
            config.toString());
    try {
      assertThatThrownBy(() -> process.awaitReady(() -> false, Duration.ofSeconds(3)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("pinot zookeeper was not ready within 3 s")
          .hasMessageContaining("last lines of " + dir.resolve("zookeeper.log"));
    } finally {
      process.close();
    }
    assertThat(ProcessHandle.of(process.pid()).map(ProcessHandle::isAlive).orElse(false))
        .as("stopped by close")
        .isFalse();
  }
}
