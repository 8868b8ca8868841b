package io.segmenttransfer.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --json}: one JSON object on stdout instead of the human summary. */
final class OutputOptions {

  @Option(names = "--json", description = "Print one JSON object instead of a summary.")
  boolean json;

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  /** A command's outcome: a JSON-able value that also reads well as text. */
  interface Summary {
    String text();
  }

  /**
   * A summary record of plain values only (see {@link PlainJson}), printed without Jackson: the
   * one-shot commands' summaries, whose JSON is the last thing a fresh JVM does.
   */
  interface PlainSummary extends Summary {}

  void print(Summary summary) {
    String line;
    if (!json) {
      line = summary.text();
    } else if (summary instanceof PlainSummary && summary instanceof Record plain) {
      line = PlainJson.of(plain);
    } else {
      line = Json.write(summary);
    }
    spec.commandLine().getOut().println(line);
    spec.commandLine().getOut().flush();
  }

  /**
   * Built on the first {@code --json} output only: picocli creates these options for every command
   * it parses, and an ObjectMapper loads about 375 Jackson classes, a tenth of a second of a fresh
   * JVM that prints text.
   */
  private static final class Json {
    static final ObjectMapper MAPPER =
        new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    static String write(Summary summary) {
      try {
        return MAPPER.writeValueAsString(summary);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(
            "cannot render " + summary.getClass().getSimpleName() + " as JSON", e);
      }
    }
  }
}
