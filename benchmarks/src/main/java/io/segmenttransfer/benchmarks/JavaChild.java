package io.segmenttransfer.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A runnable jar run as a child process with this JVM's {@code java}, as a user runs it: wall time
 * from start to exit and the JSON object it prints last. The benchmarks reach Pinot's code only
 * this way ({@code pinot-tools.jar}), so Pinot's dependency tree never joins theirs.
 */
final class JavaChild {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What one run printed and how long it took, JVM start-up and exit included. */
  record Run(long wallMillis, JsonNode json) {}

  private JavaChild() {}

  /**
   * {@code -Dsegmenttransfer.pinotTools} (what the root pom gives every test), else {@code
   * pinot-tools/target/pinot-tools.jar} beside this module.
   */
  static Path pinotToolsJar() {
    return jar("segmenttransfer.pinotTools", "pinot-tools", "pinot-tools.jar");
  }

  /**
   * {@code pinot-fetcher/target/segment-transfer-pinot-fetcher.jar}, or {@code
   * -Dsegmenttransfer.pinotFetcherJar}.
   */
  static Path pinotFetcherJar() {
    return jar(
        "segmenttransfer.pinotFetcherJar", "pinot-fetcher", "segment-transfer-pinot-fetcher.jar");
  }

  /** {@code transfer-server/target/segment-transfer.jar}, or {@code -Dsegment.transfer.jar}. */
  static Path segmentTransferJar() {
    return jar("segment.transfer.jar", "transfer-server", "segment-transfer.jar");
  }

  private static Path jar(String property, String module, String name) {
    String configured = System.getProperty(property);
    if (configured != null) {
      return Path.of(configured).toAbsolutePath();
    }
    return BenchPaths.module().resolveSibling(module).resolve("target").resolve(name);
  }

  /**
   * Runs {@code java -jar jar args}; fails with the child's output when it exits non-zero or prints
   * no JSON object. Blocking.
   */
  static Run run(Path jar, List<String> args) throws IOException {
    return run(jarCommand(jar, args));
  }

  /**
   * Runs {@code main} of a class of this module in a fresh JVM on this JVM's class path, with the
   * heap the benchmarks give their forks. Blocking.
   */
  static Run runClass(Class<?> main, List<String> args) throws IOException {
    return runClass(main, List.of(), args);
  }

  /** As {@link #runClass(Class, List)}, with {@code jvmOptions} besides the heap. Blocking. */
  static Run runClass(Class<?> main, List<String> jvmOptions, List<String> args)
      throws IOException {
    return run(classCommand(main, jvmOptions, args));
  }

  /**
   * The command that runs {@code main} of a class of this module in a fresh JVM on this JVM's class
   * path, with the heap the benchmarks give their forks and {@code jvmOptions} besides.
   */
  static List<String> classCommand(Class<?> main, List<String> jvmOptions, List<String> args) {
    List<String> command = new ArrayList<>(List.of(java(), "-Xms1g", "-Xmx3g"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(args);
    return command;
  }

  /**
   * Runs {@code main} in a fresh JVM on {@code classPath} (not this JVM's: a program whose
   * dependencies must not meet the benchmarks'), with {@code jvmArgs}. Blocking.
   */
  static Run runClass(String classPath, String main, List<String> jvmArgs, List<String> args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(java());
    command.addAll(jvmArgs);
    command.addAll(List.of("-cp", classPath, main));
    command.addAll(args);
    return run(command);
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static Run run(List<String> command) throws IOException {
    Output output = output(command);
    return new Run(output.wallMillis(), lastJsonObject(output.text(), command));
  }

  /** What a run printed (stdout and stderr together) and how long it took. */
  record Output(long wallMillis, String text) {}

  /**
   * Runs {@code java -jar jar args} for a program that prints text rather than JSON; fails with the
   * child's output when it exits non-zero. Blocking.
   */
  static Output output(Path jar, List<String> args) throws IOException {
    return output(jarCommand(jar, args));
  }

  private static List<String> jarCommand(Path jar, List<String> args) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException(jar + " is not built: run mvn -B -o -q package -DskipTests first");
    }
    List<String> command = new ArrayList<>(List.of(java(), "-jar", jar.toString()));
    command.addAll(args);
    return command;
  }

  private static Output output(List<String> command) throws IOException {
    long started = System.nanoTime();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    int exit;
    try {
      exit = process.waitFor();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + command, e);
    }
    long wallMillis = (System.nanoTime() - started) / 1_000_000;
    String text = new String(output, StandardCharsets.UTF_8);
    if (exit != 0) {
      throw new IOException(String.join(" ", command) + " exited with " + exit + ":\n" + text);
    }
    return new Output(wallMillis, text);
  }

  /** The last line that is a JSON object: log lines may precede it. */
  private static JsonNode lastJsonObject(String text, List<String> command) throws IOException {
    String[] lines = text.split("\\R");
    for (int i = lines.length - 1; i >= 0; i--) {
      String line = lines[i].strip();
      if (line.startsWith("{") && line.endsWith("}")) {
        return JSON.readTree(line);
      }
    }
    throw new IOException(String.join(" ", command) + " printed no JSON object:\n" + text);
  }
}
