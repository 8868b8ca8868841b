package io.segmenttransfer.controller.sync;

import io.segmenttransfer.core.error.InvalidRequestException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * {@code processor=command}: runs an external program on the segment directory, for rebuilds done
 * by other tools. Every {@code {dir}} in its arguments becomes the segment directory. It runs in
 * the segment's work directory with stdout and stderr going to a file there (no thread pumps them),
 * and its exit is awaited without holding a thread ({@link Process#onExit()}). A non-zero exit or
 * the timeout fails the segment with the output's last lines in the cause; a timed-out or cancelled
 * program is killed with its descendants.
 */
class CommandProcessor implements SegmentProcessor {

  /** How much of the program's output goes into a failure cause. */
  static final int OUTPUT_TAIL_BYTES = 2048;

  static final String DIR_PLACEHOLDER = "{dir}";

  private final String name;
  private final Function<ProcessorContext, List<String>> argv;
  private final Scheduler scheduler;

  /**
   * @param argv the program and its arguments for a segment; built on the scheduler, so it may
   *     write files into the work directory
   */
  CommandProcessor(
      String name, Function<ProcessorContext, List<String>> argv, Scheduler scheduler) {
    this.name = name;
    this.argv = argv;
    this.scheduler = scheduler;
  }

  /** A {@code command} processor for {@code commandLine}, split into words as a shell would. */
  static CommandProcessor of(String commandLine, Scheduler scheduler) {
    List<String> words = words(commandLine);
    if (words.isEmpty()) {
      throw new InvalidRequestException(null, "processor command needs a command to run");
    }
    return new CommandProcessor(
        "command",
        context ->
            words.stream()
                .map(w -> w.replace(DIR_PLACEHOLDER, context.segmentDir().toString()))
                .toList(),
        scheduler);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Mono<Void> process(ProcessorContext context) {
    Path output = context.workDir().resolve("processor-output.log");
    return Mono.usingWhen(
        Mono.fromCallable(() -> start(context, output)).subscribeOn(scheduler),
        process ->
            Mono.fromFuture(process.onExit(), true)
                .timeout(context.timeout(), scheduler)
                .publishOn(scheduler)
                .flatMap(
                    exited ->
                        exited.exitValue() == 0
                            ? Mono.<Void>empty()
                            : Mono.error(
                                new ProcessorFailure(
                                    describe(context)
                                        + " exited with "
                                        + exited.exitValue()
                                        + ": "
                                        + tail(output))))
                .onErrorMap(
                    TimeoutException.class,
                    e ->
                        new ProcessorFailure(
                            describe(context)
                                + " did not finish within "
                                + format(context.timeout())
                                + " and was killed: "
                                + tail(output),
                            e)),
        process -> kill(process),
        (process, error) -> kill(process),
        process -> kill(process));
  }

  private Process start(ProcessorContext context, Path output) throws IOException {
    List<String> command = argv.apply(context);
    try {
      return new ProcessBuilder(command)
          .directory(context.workDir().toFile())
          .redirectErrorStream(true)
          .redirectOutput(output.toFile())
          .start();
    } catch (IOException e) {
      throw new ProcessorFailure("cannot start " + command.get(0) + ": " + e.getMessage(), e);
    }
  }

  private String describe(ProcessorContext context) {
    return name + " on " + context.segment().segmentName();
  }

  /**
   * Kills what is still running; off the caller's thread, since listing descendants reads /proc.
   */
  private Mono<Void> kill(Process process) {
    return Mono.<Void>fromRunnable(
            () -> {
              if (process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
              }
            })
        .subscribeOn(scheduler);
  }

  /** The last lines of the program's output, on one line. Blocking (a small read). */
  static String tail(Path output) {
    try {
      if (!Files.exists(output)) {
        return "(no output)";
      }
      try (RandomAccessFile file = new RandomAccessFile(output.toFile(), "r")) {
        long length = file.length();
        int size = (int) Math.min(length, OUTPUT_TAIL_BYTES);
        byte[] bytes = new byte[size];
        file.seek(length - size);
        file.readFully(bytes);
        String text =
            new String(bytes, StandardCharsets.UTF_8).strip().replaceAll("\\s*\\R\\s*", " | ");
        return text.isEmpty() ? "(no output)" : (length > size ? "..." : "") + text;
      }
    } catch (IOException e) {
      return "(output unreadable: " + e.getMessage() + ")";
    }
  }

  private static String format(Duration duration) {
    return duration.toMillis() % 1000 == 0
        ? duration.toSeconds() + " s"
        : duration.toMillis() + " ms";
  }

  /**
   * Splits a command line into words: whitespace separates, single and double quotes group, a
   * backslash outside single quotes escapes the next character. No other shell syntax.
   */
  static List<String> words(String commandLine) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (int i = 0; i < commandLine.length(); i++) {
      char c = commandLine.charAt(i);
      if (quote == '\'') {
        if (c == '\'') {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\\' && i + 1 < commandLine.length()) {
        word.append(commandLine.charAt(++i));
        inWord = true;
      } else if (quote == '"') {
        if (c == '"') {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (quote != 0) {
      throw new InvalidRequestException(
          null, "processor command has an unclosed " + quote + " quote: " + commandLine);
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }
}
