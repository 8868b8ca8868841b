package io.segmenttransfer.core.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the machine's GNU tar, the reference implementation tests compare against. */
final class GnuTar {

  /** What a run printed, and how it ended. */
  record Result(int exitCode, String stdout, String stderr) {}

  private GnuTar() {}

  static boolean available() {
    try {
      return run(Path.of("."), "--version").stdout().contains("GNU tar");
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Runs {@code tar args...} in {@code dir}, failing the test when it does not exit 0. */
  static Result ok(Path dir, String... args) {
    Result r = run(dir, args);
    assertThat(r.exitCode()).as("tar %s: %s", String.join(" ", args), r.stderr()).isZero();
    return r;
  }

  static Result run(Path dir, String... args) {
    List<String> command = new ArrayList<>();
    command.add("tar");
    command.addAll(List.of(args));
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectOutput(ProcessBuilder.Redirect.PIPE)
              .redirectError(ProcessBuilder.Redirect.PIPE)
              .start();
      p.getOutputStream().close();
      // The outputs are small; reading them fully before waiting cannot deadlock on them.
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("tar did not finish: " + command);
      }
      return new Result(p.exitValue(), out, err);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
