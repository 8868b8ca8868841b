package io.segmenttransfer.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What a person reads first: the command list, each command's help, the version. */
class HelpTextTest {

  private static final List<String> COMMANDS =
      List.of(
          "extract",
          "load",
          "reload",
          "recover",
          "controller",
          "server",
          "commit",
          "bootstrap",
          "quickstart");

  @Test
  void theCommandListGivesEachCommandAWholeSentence() {
    CommandLineTest.Run help = CommandLineTest.run("--help");
    assertThat(help.exitCode()).isZero();
    // The list, with picocli's wrapped continuation lines joined back.
    String list = help.out().substring(help.out().indexOf("Commands:"));
    String joined = list.replaceAll("\\n\\s{8,}", " ");
    for (String command : COMMANDS) {
      Matcher line = Pattern.compile("(?m)^  " + command + "\\s+(.+)$").matcher(joined);
      assertThat(line.find()).as(command + " in\n" + list).isTrue();
      assertThat(line.group(1)).as(command).endsWith(".").doesNotEndWith(",.");
    }
  }

  @Test
  void descriptionsHaveNoHardLineBreaksInsideSentences() {
    for (String command : COMMANDS) {
      String help = CommandLineTest.run(command, "--help").out();
      // The description, below the usage synopsis and above the options: its lines are picocli's
      // wrapping at 80 columns, so no line but the paragraph's last stops short (a hard break left
      // a stub).
      List<String> lines = help.lines().toList();
      int first = 0;
      while (!lines.get(first).startsWith("Usage:")) {
        first++;
      }
      do {
        first++;
      } while (lines.get(first).startsWith(" "));
      int last = first;
      while (last < lines.size() && !lines.get(last).startsWith(" ")) {
        last++;
      }
      for (int i = first; i < last - 1; i++) {
        assertThat(lines.get(i).length())
            .as(command + ": '" + lines.get(i) + "' ends early")
            .isGreaterThan(40);
      }
    }
  }

  @Test
  void recoverOffersOnlyWhatItUses() {
    String help = CommandLineTest.run("recover", "--help").out();
    assertThat(help).contains("--data-dir=DIR").doesNotContain("--keyset", "--s3-", "--http");
  }

  @Test
  void theVersionIsTheBuildsNotAPlaceholder() {
    CommandLineTest.Run version = CommandLineTest.run("-V");
    assertThat(version.exitCode()).isZero();
    assertThat(version.out().lines().findFirst().orElseThrow())
        .matches("segment-transfer \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
  }
}
