package io.segmenttransfer.server.launcher;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs a one-shot command ({@code extract}, {@code load}, ...) started as {@code java -jar
 * segment-transfer.jar} in a child JVM that maps the application's classes from a
 * class-data-sharing archive, creating the archive on the first run, and compiles with the client
 * compiler only ({@link #QUICK_COMPILER}).
 *
 * <p>Why: a fresh JVM spends most of a one-segment command loading, verifying and linking the
 * 2,000-3,500 classes of Reactor, Netty, Jackson and the AWS SDK (measured: more time than the
 * transfer of a 128 MiB segment from a local file). A dynamic AppCDS archive ({@code
 * -XX:ArchiveClassesAtExit}, Java 13+) maps them pre-parsed and pre-verified. Java 17 reads such an
 * archive only when the command line names it, and {@code java -jar} cannot carry JVM flags, so
 * this launcher starts the same command again with {@code -XX:SharedArchiveFile} (or, the first
 * time, {@code -XX:ArchiveClassesAtExit}) and waits for it, passing its exit code through. The
 * parent JVM loads a few hundred JDK classes from the JDK's own archive and costs one JVM start.
 *
 * <p>One archive per command and kind of source (file, http, s3), because each loads its own
 * classes; its name includes the unpacked jar's path, size and time and the JVM's version, so a
 * rebuilt jar or another JVM gets a fresh one. Archives live beside the unpacked application
 * ({@link UnpackedApplication#archives()}; {@code -Dsegment-transfer.cds.dir} to move them). {@code
 * -Dsegment-transfer.cds=false} (or the environment variable {@code SEGMENT_TRANSFER_CDS=false})
 * turns this off; so does any JVM flag that already chooses an archive or turns sharing off.
 * Daemons ({@code server}, {@code controller}, {@code quickstart}) are not relaunched: their
 * start-up is paid once.
 *
 * <p>The parent's work before the child starts is on the critical path of every command, in a JVM
 * that runs it interpreted and has none of it archived, so this class keeps it small: no string
 * concatenation with {@code +} (each new shape of an {@code invokedynamic} concatenation spins
 * method-handle classes at first use: 33 ms of the parent's 67 ms between {@code Main} and the
 * child's start, measured, before the build compiled concatenations inline), no {@code
 * String.format}, no lambdas. The child is started with {@code -cp <unpacked jar> <main class>}
 * rather than {@code -jar}: with {@code -jar} the JVM opens the jar once more only to read its
 * manifest, and reading the central directory of the application's jar (35,000 entries) costs about
 * 30-40 ms each time; the child's classes come from the archive, so it opens the jar once, for
 * resources.
 */
public final class ClassDataSharingLauncher {

  static final String ENABLED_PROPERTY = "segment-transfer.cds";
  static final String ENABLED_ENV = "SEGMENT_TRANSFER_CDS";
  static final String DIR_PROPERTY = "segment-transfer.cds.dir";

  /** Set in the child so it does not relaunch itself. */
  static final String CHILD_PROPERTY = "segment-transfer.cds.child";

  /** Commands worth a relaunch: they run once and exit, so class loading is a large share. */
  static final Set<String> ONE_SHOT_COMMANDS =
      Set.of("extract", "load", "reload", "recover", "bootstrap", "commit");

  /**
   * The client compiler only. A one-shot command's bytes are decompressed, checksummed and written
   * by native code (zlib, zstd, the kernel); its Java code runs once per 256 KiB chunk, so C2's
   * optimised code buys little, while compiling it took about 1.5 s of CPU in a fresh JVM's extract
   * (profiled: 40% of its CPU on two cores), CPU the transfer competes for. Measured on the
   * pipeline from a file, eight 128 MiB segments in one JVM: per segment after warm-up 0.47 s with
   * C1 only against 0.45-0.49 s with C2 (no loss), total CPU 7.3 s against 13.9 s.
   */
  static final String QUICK_COMPILER = "-XX:TieredStopAtLevel=1";

  /**
   * Transparent huge pages for the heap, where the kernel hands them out on request ({@code
   * [madvise]} in {@value #THP_SETTING}). Nearly every byte a transfer allocates is a fresh 256 KiB
   * chunk (profiled: 97% of allocations, the file store's reads), and in a young JVM each lands on
   * heap memory never touched before: with 4 KiB pages, a page fault and the kernel zeroing a page
   * every 4 KiB took a quarter to a third of the extraction's CPU. With 2 MiB pages there are 512
   * times fewer faults. Measured on the real 120 MiB segment (tar.zst, 2 cores): a fresh JVM's
   * extraction 384 ms against 428 ms (medians of 6, alternated); warm in one JVM (JMH) level with
   * Pinot's untar at 203 against 194 ms, where without it ours was 343 against 188 and swung by 2x.
   * Not added when the kernel says {@code [always]} (they are used anyway) or {@code [never]} (the
   * JVM would print a warning into the command's output), nor when the user chose page sizes.
   */
  static final String HUGE_PAGES = "-XX:+UseTransparentHugePages";

  static final String THP_SETTING = "/sys/kernel/mm/transparent_hugepage/enabled";

  /** {@code Main.EXIT_FAILED}: the work failed (here, waiting for the child was interrupted). */
  static final int EXIT_FAILED = 1;

  /** Seconds the parent waits for the child to stop after forwarding a termination signal. */
  private static final long STOP_WAIT_SECONDS = 60;

  private ClassDataSharingLauncher() {}

  /** What to run: the child's full command line, and the archive it creates (if it does). */
  record Plan(List<String> command, Path archive, Optional<Path> creating) {}

  /**
   * Runs the command in a child JVM when that applies, and returns its exit code; empty when this
   * JVM should run the command itself (turned off, not a one-shot command, the application not in
   * the cache, or the child could not be started).
   *
   * @param outerJar the jar {@code java -jar} runs
   * @param properties {@code -D} flags the launcher passes on, before the user's own (which win)
   */
  static Optional<Integer> relaunch(
      String[] args, Path outerJar, UnpackedApplication app, List<String> properties) {
    // The child, and a user who turned this off, stop here, before anything below loads or reads.
    if (System.getProperty(CHILD_PROPERTY) != null
        || switchedOff(System.getenv(ENABLED_ENV))
        || !app.cached()) {
      return Optional.empty();
    }
    Optional<Plan> plan;
    try {
      plan =
          plan(
              args,
              System.getenv(ENABLED_ENV),
              ProcessHandle.current().info().arguments(),
              new Jars(outerJar, app, properties),
              hugePagesOnRequest());
    } catch (RuntimeException | IOException e) {
      return Optional.empty();
    }
    if (plan.isEmpty()) {
      return Optional.empty();
    }
    Process child;
    try {
      child = new ProcessBuilder(plan.get().command()).inheritIO().start();
    } catch (IOException e) {
      return Optional.empty();
    }
    // A SIGTERM/SIGINT to this JVM reaches the child too (a terminal sends SIGINT to both), and
    // this JVM waits for it, so a daemon manager that stops the parent stops the command cleanly.
    Runtime.getRuntime().addShutdownHook(new ChildStopper(child));
    int exit;
    try {
      exit = child.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of(EXIT_FAILED);
    }
    if (plan.get().creating().isPresent()) {
      keep(plan.get().creating().get(), plan.get().archive(), exit == 0);
    }
    return Optional.of(exit);
  }

  /**
   * What the child runs from: {@code outer} is the jar {@code java -jar} named, {@code app} the
   * application unpacked from it (the child's class path), {@code properties} the launcher's own
   * {@code -D} flags.
   */
  record Jars(Path outer, UnpackedApplication app, List<String> properties) {}

  private static boolean switchedOff(String enabledEnv) {
    return "false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY, ""))
        || "false".equalsIgnoreCase(enabledEnv);
  }

  /**
   * The child's command line, or empty when there should be none. {@code jvmArguments} is this
   * process's own argument list (JVM flags, {@code -jar}, the jar, the command's arguments).
   */
  static Optional<Plan> plan(
      String[] args,
      String enabledEnv,
      Optional<String[]> jvmArguments,
      Jars jars,
      boolean hugePagesOnRequest)
      throws IOException {
    if (System.getProperty(CHILD_PROPERTY) != null
        || switchedOff(enabledEnv)
        || jvmArguments.isEmpty()) {
      return Optional.empty();
    }
    String command = command(args);
    if (command == null || !ONE_SHOT_COMMANDS.contains(command) || asksForHelp(args)) {
      return Optional.empty();
    }
    List<String> original = List.of(jvmArguments.get());
    if (!startedWithJar(original, jars.outer())) {
      return Optional.empty();
    }
    // The user's JVM flags: everything before -jar.
    List<String> flags = original.subList(0, original.indexOf("-jar"));
    if (choosesSharing(flags)) {
      return Optional.empty();
    }
    String chosenDir = System.getProperty(DIR_PROPERTY);
    Path dir = chosenDir == null ? jars.app().archives() : Path.of(chosenDir);
    Files.createDirectories(dir);
    Path archive = dir.resolve(archiveName(jars.app().jar(), profile(command, args)));
    List<String> child = new ArrayList<>();
    child.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // The JVM prints its archive warnings (classes it skips, an archive it cannot use) on stdout,
    // where they would spoil --json output; sharing falls back to plain class loading silently.
    child.add("-Xlog:cds*=off");
    child.add("-Xshare:auto");
    if (!choosesCompiler(flags)) {
      child.add(QUICK_COMPILER);
    }
    if (hugePagesOnRequest && !choosesPageSizes(flags)) {
      child.add(HUGE_PAGES);
    }
    Optional<Path> creating = Optional.empty();
    if (Files.isRegularFile(archive)) {
      child.add("-XX:SharedArchiveFile=".concat(archive.toString()));
    } else {
      // Written under a name of its own, so concurrent first runs never read a half-written one.
      Path tmp =
          dir.resolve(
              archive
                  .getFileName()
                  .toString()
                  .concat(".")
                  .concat(Long.toString(ProcessHandle.current().pid()))
                  .concat(".tmp"));
      child.add("-XX:ArchiveClassesAtExit=".concat(tmp.toString()));
      creating = Optional.of(tmp);
    }
    child.add("-D".concat(CHILD_PROPERTY).concat("=true"));
    child.addAll(jars.properties());
    // The user's JVM flags, then the unpacked application and its main class in place of -jar,
    // then the command's arguments, unchanged and in order.
    child.addAll(withoutClassPath(flags));
    child.add("-cp");
    child.add(jars.app().jar().toString());
    child.add(JarLauncher.MAIN_CLASS);
    child.addAll(original.subList(flags.size() + 2, original.size()));
    return Optional.of(new Plan(child, archive, creating));
  }

  /**
   * The flags without a class path option: {@code java -jar} ignored any, and the child's is the
   * jar.
   */
  private static List<String> withoutClassPath(List<String> flags) {
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < flags.size(); i++) {
      String flag = flags.get(i);
      if (flag.equals("-cp") || flag.equals("-classpath") || flag.equals("--class-path")) {
        i++; // and its value
      } else if (!flag.startsWith("--class-path=")) {
        kept.add(flag);
      }
    }
    return kept;
  }

  /**
   * Help and version output load few classes: not worth a relaunch, and an archive made by such a
   * run would serve the real command's later runs poorly.
   */
  private static boolean asksForHelp(String[] args) {
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h") || arg.equals("--version") || arg.equals("-V")) {
        return true;
      }
    }
    return false;
  }

  /** The command's name: the first argument that is not an option. */
  static String command(String[] args) {
    for (String arg : args) {
      if (!arg.startsWith("-")) {
        return arg;
      }
    }
    return null;
  }

  /**
   * The command and the remote sources it names, which decide which client classes it loads: {@code
   * extract}, {@code extract-http}, {@code load-s3}, ...
   */
  static String profile(String command, String[] args) {
    boolean http = false;
    boolean s3 = false;
    for (String arg : args) {
      String a = arg.toLowerCase(Locale.ROOT);
      http |= a.contains("http://") || a.contains("https://");
      s3 |= a.contains("s3://");
    }
    StringBuilder profile = new StringBuilder(command);
    if (http) {
      profile.append("-http");
    }
    if (s3) {
      profile.append("-s3");
    }
    return profile.toString();
  }

  /**
   * A name that changes with the jar (path, size, time) and the JVM, whose archive would otherwise
   * be refused.
   */
  static String archiveName(Path jar, String profile) throws IOException {
    String fingerprint =
        Fingerprint.ofFile(jar)
            .and(System.getProperty("java.home"))
            .and(System.getProperty("java.vm.version"))
            .hex();
    return profile.concat("-").concat(fingerprint).concat(".jsa");
  }

  private static boolean startedWithJar(List<String> arguments, Path jar) {
    int at = arguments.indexOf("-jar");
    return at >= 0
        && at + 1 < arguments.size()
        && Path.of(arguments.get(at + 1)).toAbsolutePath().equals(jar.toAbsolutePath());
  }

  /** Flags with which the user already decided about class-data sharing. */
  private static boolean choosesSharing(List<String> flags) {
    return anyStartsWith(
        flags,
        "-Xshare",
        "-XX:SharedArchiveFile",
        "-XX:ArchiveClassesAtExit",
        "-XX:SharedClassListFile",
        "-XX:DumpLoadedClassList");
  }

  /** Whether one of {@code flags} starts with one of {@code prefixes} (a loop: no lambdas here). */
  private static boolean anyStartsWith(List<String> flags, String... prefixes) {
    for (String flag : flags) {
      for (String prefix : prefixes) {
        if (flag.startsWith(prefix)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The JVM flags besides its archive that a relaunched command runs with on this machine when its
   * user chose none of these: the benchmarks measure a multi-segment command's warm-up (a {@code
   * bootstrap} in one JVM) under exactly them.
   */
  public static List<String> runtimeFlags() {
    List<String> flags = new ArrayList<>();
    flags.add(QUICK_COMPILER);
    if (hugePagesOnRequest()) {
      flags.add(HUGE_PAGES);
    }
    return List.copyOf(flags);
  }

  /** Whether the kernel gives transparent huge pages to the memory that asks for them. */
  static boolean hugePagesOnRequest() {
    // A FileInputStream, not Files.readString: the JVM has loaded its classes at boot, where the
    // file channel behind Files would be ~30 more classes parsed in the parent (~3 ms, timeline).
    try (FileInputStream in = new FileInputStream(THP_SETTING)) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII).contains("[madvise]");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static boolean choosesPageSizes(List<String> flags) {
    for (String flag : flags) {
      if (flag.contains("HugePages") || flag.contains("LargePage")) {
        return true;
      }
    }
    return false;
  }

  private static boolean choosesCompiler(List<String> flags) {
    return anyStartsWith(
        flags,
        "-XX:TieredStopAtLevel",
        "-XX:-TieredCompilation",
        "-XX:+TieredCompilation",
        "-Xint",
        "-Xcomp");
  }

  /**
   * After the creating run: the archive is kept when the run succeeded (a failed run, a usage error
   * say, loads too few classes to be worth mapping later), else deleted.
   */
  private static void keep(Path tmp, Path archive, boolean succeeded) {
    try {
      if (succeeded && Files.isRegularFile(tmp) && Files.size(tmp) > 0) {
        Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE);
      } else {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // Left behind in the cache directory; a later run writes its own.
      }
    }
  }

  /** The shutdown hook that stops the child with the parent (a class: no lambda, see above). */
  private static final class ChildStopper extends Thread {
    private final Process child;

    ChildStopper(Process child) {
      super("cds-child-stop");
      this.child = child;
    }

    @Override
    public void run() {
      if (!child.isAlive()) {
        return;
      }
      child.destroy();
      try {
        child.waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
