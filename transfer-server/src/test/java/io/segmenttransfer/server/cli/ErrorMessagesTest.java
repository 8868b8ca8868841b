package io.segmenttransfer.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.segmenttransfer.core.testing.PinotFixtures;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The common mistakes of a first hour, each told in one line a person can act on: what was wrong,
 * in words, no exception class names, no stack trace, no repeats; exit 2 for bad input, 1 for work
 * that failed.
 */
class ErrorMessagesTest {

  @TempDir Path dir;

  /** Runs a command and checks what every error must be: one line, no class names. */
  private static CommandLineTest.Run fails(int exitCode, String... args) {
    CommandLineTest.Run run = CommandLineTest.run(args);
    assertThat(run.exitCode()).as(Arrays.toString(args) + ": " + run.err()).isEqualTo(exitCode);
    assertThat(run.err().strip())
        .as("stderr of " + Arrays.toString(args))
        .startsWith("error: ")
        .doesNotContain("\n")
        .doesNotContainPattern("[A-Z][a-zA-Z]+(Exception|Error)\\b")
        .doesNotContain("\tat ")
        .doesNotContain("attempts failed");
    return run;
  }

  private String[] extract(String archive, String... more) {
    String[] base = {
      "extract",
      "--archive",
      archive,
      "--to",
      dir.resolve("data").toString(),
      "--table",
      "events_OFFLINE"
    };
    String[] all = Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  @Test
  void nothingListeningIsARefusedConnectionToldOnceEvenOnAOneDigitPort() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    for (int p : new int[] {port, 9}) {
      String url = "http://127.0.0.1:" + p + "/x.tar.gz";
      CommandLineTest.Run run = fails(1, extract(url));
      assertThat(run.err().strip())
          .isEqualTo(
              "error: "
                  + url
                  + ": connection refused: nothing is listening on 127.0.0.1:"
                  + p
                  + " (is it running, and is that the right port?)");
    }
  }

  @Test
  void anUnsupportedSchemeListsTheOnesThatWork() {
    assertThat(fails(2, extract("ftp://x/y")).err())
        .contains(
            "cannot read 'ftp://x/y': give a path, or a file://, s3://bucket/key, http:// or"
                + " https:// URL");
  }

  @Test
  void aFileThatIsNoArchiveSaysWhichFormatsWereExpected() throws IOException {
    Path text = Files.writeString(dir.resolve("notes.txt"), "just a few words, no archive\n");
    assertThat(fails(1, extract(text.toString())).err())
        .contains(text.toUri() + ": not a segment archive")
        .contains("tar.gz, tar.zst, tar.lz4 or an uncompressed tar");
  }

  @Test
  void aTruncatedArchiveNamesTheFileNotATable() throws IOException {
    byte[] whole = Files.readAllBytes(PinotFixtures.archive("tar.gz").file());
    Path cut = Files.write(dir.resolve("cut.tar.gz"), Arrays.copyOf(whole, whole.length / 2));
    assertThat(fails(1, extract(cut.toString())).err())
        .startsWith("error: " + cut.toUri() + ": truncated gzip stream")
        .doesNotContain("segment events_OFFLINE");
    // Nothing partial left: the staging area is empty and no segment directory was made.
    assertThat(dir.resolve("data/events_OFFLINE/tmp")).isEmptyDirectory();
    assertThat(dir.resolve("data/events_OFFLINE")).isDirectoryNotContaining("glob:**/events_*");
  }

  @Test
  void aMissingArchiveFileIsBadInput() {
    Path missing = dir.resolve("nope.tar.gz");
    assertThat(fails(2, extract(missing.toString())).err().strip())
        .isEqualTo("error: archive file " + missing + " does not exist");
  }

  @Test
  void crypterMistakesAreBadInputAndNameTheFlags() {
    String archive = PinotFixtures.archive("tar.gz").file().toString();
    assertThat(fails(2, extract(archive, "--crypter", "bogus")).err())
        .contains(
            "unknown crypter 'bogus': known crypters are NoOpPinotCrypter (also noop, none),"
                + " TinkStreamingAeadCrypter (with --keyset)");
    assertThat(fails(2, extract(archive, "--crypter", "TinkStreamingAeadCrypter")).err())
        .contains("needs a keyset: give --keyset FILE")
        .doesNotContain("CrypterConfig");
  }

  @Test
  void aControllerWithoutSchemeIsToldTheSameWayByEveryCommand() {
    String hint =
        "must be an http://host:port URL, was '127.0.0.1:9000': did you mean http://127.0.0.1:9000?";
    assertThat(
            fails(
                    2,
                    "bootstrap",
                    "--controller",
                    "127.0.0.1:9000",
                    "--table",
                    "events",
                    "--data-dir",
                    dir.toString())
                .err())
        .contains("--controller " + hint);
    assertThat(
            fails(
                    2,
                    "server",
                    "--controller",
                    "127.0.0.1:9000",
                    "--data-dir",
                    dir.toString(),
                    "--admin-port",
                    "0")
                .err())
        .contains("controller " + hint);
    assertThat(
            fails(
                    2,
                    "commit",
                    "--server",
                    "127.0.0.1:9000",
                    "--table",
                    "events_REALTIME",
                    "--segment-dir",
                    dir.toString())
                .err())
        .contains("--server " + hint.replace("9000?", "9000?"));
  }

  @Test
  void anAdminPortInUseNamesThePortAndTheFlag() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThat(
              fails(
                      2,
                      "server",
                      "--controller",
                      "http://127.0.0.1:1",
                      "--data-dir",
                      dir.resolve("s").toString(),
                      "--admin-port",
                      Integer.toString(port))
                  .err())
          .contains("cannot listen on 127.0.0.1:" + port + ": the port is in use")
          .contains("--admin-port");
    }
  }

  @Test
  void recoverOnADirectoryThatDoesNotExistSaysSo() {
    Path missing = dir.resolve("typo");
    assertThat(fails(2, "recover", "--data-dir", missing.toString()).err().strip())
        .isEqualTo("error: data directory " + missing + " does not exist");
    assertThat(missing).doesNotExist();
  }

  @Test
  void aDataDirectoryThatCannotBeCreatedSaysWhy() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThat(
            fails(
                    1,
                    "extract",
                    "--archive",
                    PinotFixtures.archive("tar.gz").file().toString(),
                    "--to",
                    file.resolve("data").toString(),
                    "--table",
                    "events_OFFLINE")
                .err()
                .strip())
        .isEqualTo(
            "error: cannot use data directory " + file.resolve("data") + ": Not a directory");
  }

  @Test
  void aMisspelledCommandSuggestsTheClosestOne() {
    assertThat(fails(2, "bootstap").err().strip())
        .isEqualTo(
            "error: unknown command 'bootstap': did you mean 'bootstrap'? (see 'segment-transfer"
                + " --help')");
  }

  @Test
  void s3WithoutCredentialsIsToldAtOnceWithoutTheSdkText() {
    assumeTrue(
        System.getenv("AWS_ACCESS_KEY_ID") == null && System.getenv("AWS_PROFILE") == null,
        "credentials are configured here");
    // No instance-metadata probing on a machine that is not in a cloud.
    String previous = System.setProperty("aws.disableEc2Metadata", "true");
    try {
      CommandLineTest.Run run =
          fails(
              1,
              extract(
                  "s3://bucket/events.tar.gz",
                  "--s3-endpoint",
                  "http://127.0.0.1:1",
                  "--s3-path-style"));
      assertThat(run.err().strip())
          .isEqualTo(
              "error: s3://bucket/events.tar.gz: no AWS credentials found: set AWS_ACCESS_KEY_ID"
                  + " and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run where an instance role"
                  + " applies");
    } finally {
      if (previous == null) {
        System.clearProperty("aws.disableEc2Metadata");
      } else {
        System.setProperty("aws.disableEc2Metadata", previous);
      }
    }
  }
}
