package io.segmenttransfer.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The command line built for one named command knows only that command, and parses and explains it
 * as the full one does.
 */
class MainStartupTest {

  @Test
  void aNamedCommandGetsACommandLineWithThatCommandOnly() {
    CommandLine one = Main.newCommandLine("extract", "--archive", "a.tar.gz");

    assertThat(one.getSubcommands().keySet()).containsExactly("extract");
    assertThat(one.getCommandName()).isEqualTo(Main.newCommandLine().getCommandName());
  }

  @Test
  void itsHelpIsTheFullCommandLinesHelpForThatCommand() {
    for (String name : new String[] {"extract", "load", "bootstrap", "server"}) {
      String alone = Main.newCommandLine(name).getSubcommands().get(name).getUsageMessage();
      String full = Main.newCommandLine().getSubcommands().get(name).getUsageMessage();
      assertThat(alone).as(name).isEqualTo(full);
    }
  }

  @Test
  void anythingElseGetsTheFullCommandLine() {
    CommandLine full = Main.newCommandLine();
    assertThat(Main.newCommandLine("--help").getSubcommands().keySet())
        .isEqualTo(full.getSubcommands().keySet());
    assertThat(Main.newCommandLine("no-such-command").getSubcommands().keySet())
        .isEqualTo(full.getSubcommands().keySet());
    assertThat(Main.newCommandLine().getSubcommands()).containsKey("extract");
  }
}
