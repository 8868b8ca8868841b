package io.segmenttransfer.server.fuzz;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.netty.buffer.ByteBufAllocator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/** The fuzz suite's guard can fail: a property that leaks a Netty buffer is reported failed. */
class FuzzGuardTest {

  @Test
  void aPropertyThatLeaksABufferFails() {
    EngineTestKit.engine("jqwik")
        .selectors(selectClass(Leaking.class))
        .execute()
        .testEvents()
        .assertThatEvents()
        .haveExactly(1, finishedWithFailure(message(m -> m.contains("Netty leak"))));
  }

  /** Run only by the test above (a nested class, which Surefire does not select). */
  @AddLifecycleHook(FuzzGuard.class)
  static class Leaking {
    @Property(tries = 1)
    void leaksABuffer(@ForAll int value) {
      ByteBufAllocator.DEFAULT.buffer(16).writeInt(value); // never released
    }
  }
}
