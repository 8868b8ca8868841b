package io.segmenttransfer.server.cli;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.http.auth.PasswordHashes;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hash-password}: the BCrypt hash of a password, for a principal's {@code password-hash} in
 * the auth file. The password is never an argument (it would land in the shell's history and the
 * process list): it is read from the terminal without echo, or from standard input.
 */
@Command(
    name = "hash-password",
    mixinStandardHelpOptions = true,
    header = "Prints the BCrypt hash of a password, for the auth file.",
    description =
        "Prints the BCrypt hash of a password for a principal's password-hash in the auth file (--auth-file of controller and server). The password is read from the terminal without echo, typed twice, or else from the first line of standard input.")
final class HashPasswordCommand implements Callable<Integer> {

  @Option(
      names = "--cost",
      paramLabel = "N",
      defaultValue = "" + PasswordHashes.DEFAULT_COST,
      description =
          "BCrypt cost, 4-31: each check takes 2^N rounds, so one more doubles the time. Default:"
              + " ${DEFAULT-VALUE}.")
  int cost;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    char[] password = read();
    try {
      spec.commandLine().getOut().println(PasswordHashes.hash(password, cost));
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(null, e.getMessage());
    } finally {
      Arrays.fill(password, '\0');
    }
    spec.commandLine().getOut().flush();
    return 0;
  }

  private static char[] read() throws IOException {
    Console console = System.console();
    if (console != null) {
      char[] first = console.readPassword("Password: ");
      char[] again = console.readPassword("Again: ");
      boolean same = first != null && Arrays.equals(first, again);
      if (again != null) {
        Arrays.fill(again, '\0');
      }
      if (!same) {
        throw new InvalidRequestException(null, "the two passwords differ; nothing was hashed");
      }
      return first;
    }
    // Not closed: it is the process's standard input.
    String line =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    if (line == null) {
      throw new InvalidRequestException(
          null, "no password: standard input was empty (type it at a terminal, or pipe one line)");
    }
    return line.toCharArray();
  }
}
