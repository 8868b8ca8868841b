package io.segmenttransfer.server.cli;

import io.segmenttransfer.core.error.InvalidRequestException;
import io.segmenttransfer.http.auth.TokenHashes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hash-token}: a new bearer token and the SHA-256 the auth file stores for it, or the
 * SHA-256 of a token read from standard input.
 */
@Command(
    name = "hash-token",
    mixinStandardHelpOptions = true,
    header = "Makes a bearer token and prints it with its SHA-256, for the auth file.",
    description =
        "Makes a random bearer token (256 bits) and prints it with its SHA-256: the token goes to the client (--auth-token), the token-sha256 into the auth file. With --stdin, prints the SHA-256 of the token on the first line of standard input instead.")
final class HashTokenCommand implements Callable<Integer> {

  @Option(
      names = "--stdin",
      description = "Hash the token on the first line of standard input; make none.")
  boolean stdin;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    if (stdin) {
      // Not closed: it is the process's standard input.
      String token =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      if (token == null || token.isBlank()) {
        throw new InvalidRequestException(null, "no token: standard input was empty");
      }
      out.println(TokenHashes.sha256Hex(token.strip()));
    } else {
      String token = TokenHashes.newToken();
      out.println("token: " + token);
      out.println("token-sha256: " + TokenHashes.sha256Hex(token));
    }
    out.flush();
    return 0;
  }
}
