package io.segmenttransfer.server.fuzz;

import io.segmenttransfer.core.testing.BlockingCalls;
import io.segmenttransfer.core.testing.NettyLeaks;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Runs every fuzz property with the suite's tries and seed ({@code -Dfuzz.tries}, {@code
 * -Dfuzz.seed}; {@value #DEFAULT_TRIES} tries and seed {@value #DEFAULT_SEED} by default, so CI
 * replays the same requests), without shrinking (each try is a network exchange; the failure names
 * the request), and fails the property when Netty reported a leaked buffer or BlockHound a blocking
 * call on an event loop while it ran. jqwik properties do not run the Jupiter extension of the core
 * test-jar's {@code TestGuards}, so this hook is their equivalent.
 */
public final class FuzzGuard implements AroundPropertyHook {

  static final int DEFAULT_TRIES = 150;
  static final String DEFAULT_SEED = "20261207";

  /** Declared on a container, it runs around each of its properties. */
  @Override
  public PropagationMode propagateTo() {
    return PropagationMode.ALL_DESCENDANTS;
  }

  /** Outside other hooks, so the tries and seed are set before anything reads them. */
  @Override
  public int aroundPropertyProximity() {
    return -100;
  }

  @Override
  public PropertyExecutionResult aroundProperty(
      PropertyLifecycleContext context, PropertyExecutor property) {
    // A property that names its own tries or seed keeps them.
    if (context.attributes().tries().isEmpty()) {
      context.attributes().setTries(Integer.getInteger("fuzz.tries", DEFAULT_TRIES));
    }
    if (context.attributes().seed().isEmpty()) {
      context.attributes().setSeed(System.getProperty("fuzz.seed", DEFAULT_SEED));
    }
    context.attributes().setShrinking(ShrinkingMode.OFF);
    NettyLeaks.collect(); // what earlier tests left is theirs
    PropertyExecutionResult result = property.execute();
    List<String> problems = new ArrayList<>();
    List<String> leaks = NettyLeaks.collect();
    if (!leaks.isEmpty()) {
      problems.add(leaks.size() + " Netty leak(s):\n" + String.join("\n", leaks));
    }
    List<String> blocking = BlockingCalls.drain();
    if (!blocking.isEmpty()) {
      problems.add(
          blocking.size() + " blocking call(s) on event loops:\n" + String.join("\n", blocking));
    }
    return problems.isEmpty()
        ? result
        : result.mapToFailed(new AssertionError(String.join("\n", problems)));
  }
}
