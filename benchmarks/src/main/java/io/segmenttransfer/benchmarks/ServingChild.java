package io.segmenttransfer.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@link PeerTlsServing} in a child JVM, started under {@code prefix} (e.g. {@code taskset -c 0}):
 * its URIs and CA once it serves, its CPU time on request. The child's other output (logs) goes to
 * this JVM's stderr; closing stops the child (it exits when its stdin ends).
 */
final class ServingChild implements AutoCloseable {

  private static final long START_SECONDS = 300;
  private static final long ANSWER_SECONDS = 30;

  private final Process process;
  private final Writer commands;
  private final BlockingQueue<String> protocol = new LinkedBlockingQueue<>();
  private final Map<String, URI> uris = new LinkedHashMap<>();
  private Path caCertificate;

  private ServingChild(List<String> command) throws IOException {
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    commands = process.outputWriter(StandardCharsets.UTF_8);
    Thread pump = new Thread(this::pump, "serving-child-output");
    pump.setDaemon(true);
    pump.start();
  }

  /** Waits for the child's {@link PeerTlsServing#SERVING} line. */
  private void awaitServing() throws IOException {
    JsonNode json = new ObjectMapper().readTree(next(PeerTlsServing.SERVING, START_SECONDS));
    json.get("uris")
        .fields()
        .forEachRemaining(e -> uris.put(e.getKey(), URI.create(e.getValue().asText())));
    caCertificate = Path.of(json.get("ca").asText());
  }

  /**
   * Starts the serving side ({@code --mib}, {@code --ways}, {@code --work}) as {@code prefix java
   * ... PeerTlsServing} and waits until it serves.
   */
  static ServingChild start(List<String> prefix, long mib, List<String> ways, Path work)
      throws IOException {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(
        JavaChild.classCommand(
            PeerTlsServing.class,
            PeerTlsBenchmark.CHILD_JVM_OPTIONS,
            List.of(
                "--mib",
                Long.toString(mib),
                "--ways",
                String.join(",", ways),
                "--work",
                work.toString())));
    ServingChild child = new ServingChild(command);
    try {
      child.awaitServing();
      return child;
    } catch (IOException | RuntimeException e) {
      child.process.destroyForcibly();
      throw e;
    }
  }

  Map<String, URI> uris() {
    return uris;
  }

  Path caCertificate() {
    return caCertificate;
  }

  /** The child JVM's process CPU time so far (all its threads). Blocking. */
  long cpuNanos() throws IOException {
    commands.write(PeerTlsServing.CPU_REQUEST + "\n");
    commands.flush();
    return Long.parseLong(next(PeerTlsServing.CPU, ANSWER_SECONDS).strip());
  }

  /** Copies the child's output: protocol lines to the queue, the rest to this JVM's stderr. */
  private void pump() {
    PrintStream logs = System.err;
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith(PeerTlsServing.SERVING) || line.startsWith(PeerTlsServing.CPU)) {
          protocol.add(line);
        } else {
          logs.println("[serving] " + line);
        }
      }
    } catch (IOException e) {
      logs.println("[serving] output lost: " + e);
    }
  }

  /** The next protocol line, which must start with {@code prefix}; the rest of it. */
  private String next(String prefix, long seconds) throws IOException {
    String line;
    try {
      line = protocol.poll(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for the serving JVM", e);
    }
    if (line == null) {
      throw new IOException(
          "the serving JVM sent no '"
              + prefix.strip()
              + "' line within "
              + seconds
              + " s"
              + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")"));
    }
    if (!line.startsWith(prefix)) {
      throw new IOException("the serving JVM sent '" + line + "', expected " + prefix.strip());
    }
    return line.substring(prefix.length());
  }

  /** Ends the child's stdin (it closes its daemons and exits), then waits for it. */
  @Override
  public void close() throws IOException {
    try {
      commands.close();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
