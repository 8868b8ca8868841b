package io.segmenttransfer.core.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * The checks every test JVM of the project runs with, set up when the JUnit launcher session opens,
 * before any test class is loaded: BlockHound for the whole JVM ({@link BlockingCalls}) and Netty's
 * paranoid leak detection with a recorder ({@link NettyLeaks}, when Netty is on the class path).
 * {@link TestGuardsExtension} then fails the test that blocked and the test class that leaked; what
 * is reported after the last class fails the run when the session closes.
 *
 * <p>Registered in the core test-jar's {@code META-INF/services} (as a launcher session listener
 * and as a test execution listener, which counts the tests run); the extension is registered there
 * too and auto-detected ({@code junit-platform.properties} of the test-jar). A module only adds the
 * test-jar and {@code io.projectreactor.tools:blockhound} as test dependencies.
 */
public final class TestGuards implements LauncherSessionListener, TestExecutionListener {

  private static final AtomicInteger TESTS_RUN = new AtomicInteger();
  private static volatile boolean nettyPresent;
  private static volatile boolean installed;
  static volatile boolean extensionRan;

  /** Installs both checks; idempotent. */
  public static synchronized void install() {
    if (installed) {
      return;
    }
    if (!present("reactor.blockhound.BlockHound")) {
      throw new IllegalStateException(
          "BlockHound is not on the test class path: add the test dependency "
              + "io.projectreactor.tools:blockhound (every module's tests run under it)");
    }
    BlockingCalls.install();
    nettyPresent = present("io.netty.util.ResourceLeakDetector");
    if (nettyPresent) {
      NettyLeaks.install();
    }
    installed = true;
  }

  /** Leak reports since the last call (empty without Netty on the class path). */
  static List<String> leaks() {
    return nettyPresent ? NettyLeaks.collect() : List.of();
  }

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    install();
  }

  @Override
  public void executionFinished(TestIdentifier test, TestExecutionResult result) {
    // Only Jupiter tests run the extension; another engine's (jqwik's properties) check their own
    // leaks and leave blocking calls to the session's end.
    if (test.isTest()
        && test.getUniqueIdObject().getEngineId().filter("junit-jupiter"::equals).isPresent()) {
      TESTS_RUN.incrementAndGet();
    }
  }

  @Override
  public void launcherSessionClosed(LauncherSession session) {
    List<String> problems = new ArrayList<>();
    if (TESTS_RUN.get() > 0 && !extensionRan) {
      problems.add(
          TestGuardsExtension.class.getName()
              + " never ran although tests did: is extension auto-detection"
              + " off (another junit-platform.properties ahead of the core test-jar's)?");
    }
    List<String> leaks = leaks();
    if (!leaks.isEmpty()) {
      problems.add(
          leaks.size()
              + " Netty leak(s) reported after the last test class:\n"
              + String.join("\n", leaks));
    }
    List<String> blocking = BlockingCalls.drain();
    if (!blocking.isEmpty()) {
      problems.add(
          blocking.size()
              + " blocking call(s) on non-blocking threads after the last test:\n"
              + String.join("\n", blocking));
    }
    if (!problems.isEmpty()) {
      String message = String.join("\n", problems);
      System.err.println("[TestGuards] " + message);
      throw new AssertionError(message);
    }
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, TestGuards.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
