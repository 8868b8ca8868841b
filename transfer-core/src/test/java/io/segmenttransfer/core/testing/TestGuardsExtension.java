package io.segmenttransfer.core.testing;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails the test that made a blocking call on a non-blocking thread (checked after each test, even
 * when the code under test swallowed BlockHound's error), and the test class whose run leaked a
 * Netty resource (checked after the class: leaks surface only after a garbage collection, too
 * costly per test; the report names the leaked object's access records). Auto-detected in every
 * module that has the core test-jar on its test class path; see {@link TestGuards}.
 */
public final class TestGuardsExtension
    implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

  @Override
  public void beforeAll(ExtensionContext context) {
    TestGuards.install();
    TestGuards.extensionRan = true;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    List<String> blocking = BlockingCalls.drain();
    if (!blocking.isEmpty()) {
      throw new AssertionError(
          blocking.size()
              + " blocking call(s) on non-blocking threads in "
              + context.getDisplayName()
              + " (or in background work it overlapped):\n"
              + String.join("\n", blocking));
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    StringBuilder problems = new StringBuilder();
    List<String> blocking = BlockingCalls.drain();
    if (!blocking.isEmpty()) {
      problems
          .append(blocking.size())
          .append(" blocking call(s) on non-blocking threads in ")
          .append(context.getDisplayName())
          .append(" outside its tests:\n")
          .append(String.join("\n", blocking));
    }
    List<String> leaks = TestGuards.leaks();
    if (!leaks.isEmpty()) {
      problems
          .append(problems.length() > 0 ? "\n" : "")
          .append(leaks.size())
          .append(" Netty leak(s) in ")
          .append(context.getDisplayName())
          .append(" (or reported late, after the class before it):\n")
          .append(String.join("\n", leaks));
    }
    if (problems.length() > 0) {
      throw new AssertionError(problems.toString());
    }
  }
}
