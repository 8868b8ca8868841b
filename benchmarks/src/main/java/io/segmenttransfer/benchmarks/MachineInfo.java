package io.segmenttransfer.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The machine a result was measured on, recorded next to every figure. */
public record MachineInfo(String cpu, int cores, long memoryMiB, String java, String os) {

  public static MachineInfo current() {
    String cpu = "unknown";
    long memory = -1;
    // The machine's cores, not the JVM's: a benchmark side pinned by taskset sees one.
    int cores = Runtime.getRuntime().availableProcessors();
    try {
      int processors = 0;
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name") && cpu.equals("unknown")) {
          cpu = line.substring(line.indexOf(':') + 1).trim();
        }
        if (line.startsWith("processor")) {
          processors++;
        }
      }
      cores = Math.max(cores, processors);
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          memory = Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux: the JVM's view below is still worth recording.
    }
    return new MachineInfo(
        cpu,
        cores,
        memory,
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
  }

  /** The one-minute load average from {@code /proc/loadavg}; -1 where there is none. */
  public static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  public Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("cpu", cpu);
    map.put("cores", cores);
    map.put("memoryMiB", memoryMiB);
    map.put("java", java);
    map.put("os", os);
    return map;
  }

  @Override
  public String toString() {
    return cpu + ", " + cores + " cores, " + memoryMiB + " MiB RAM, " + java + ", " + os;
  }
}
