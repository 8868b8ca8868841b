package io.segmenttransfer.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The guards can fail: a dropped buffer is reported, and a class that leaks or a test that blocks
 * (even swallowing BlockHound's error) fails when run with the auto-detected extension, as every
 * test class of the project is. The misbehaving classes are nested (Surefire does not run them on
 * their own) and do nothing unless armed by this test.
 */
class TestGuardsSelfTest {

  private static volatile boolean armed;

  @AfterEach
  void disarm() {
    armed = false;
  }

  @Test
  void aDroppedBufferIsReported() {
    NettyLeaks.collect();
    leak();
    assertThat(NettyLeaks.collect())
        .anySatisfy(report -> assertThat(report).startsWith("LEAK: ByteBuf"));
  }

  @Test
  void aClassThatLeaksFailsNamingTheLeakRecord() {
    armed = true;
    EngineExecutionResults results = run(Leaking.class);

    results.testEvents().assertStatistics(stats -> stats.succeeded(1).failed(0));
    Event classFailure = results.containerEvents().failed().list().get(0);
    String leaking = classFailure.getTestDescriptor().getDisplayName();
    assertThat(leaking).endsWith("Leaking");
    assertThat(failure(classFailure))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Netty leak(s) in " + leaking)
        .hasMessageContaining("LEAK: ByteBuf")
        // The access records name where the leaked buffer was allocated.
        .hasMessageContaining(TestGuardsSelfTest.class.getName() + ".leak(");
  }

  @Test
  void aTestThatBlocksAnEventLoopFailsEvenWhenTheErrorIsSwallowed() {
    armed = true;
    EngineExecutionResults results = run(Blocking.class);

    results.testEvents().assertStatistics(stats -> stats.failed(1));
    assertThat(failure(results.testEvents().failed().list().get(0)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("blocking call(s) on non-blocking threads")
        .hasMessageContaining("java.lang.Thread.sleep");
  }

  @Test
  void blockHoundIsArmedForTheWholeJvm() {
    assertThatThrownBy(
            () ->
                Mono.fromCallable(
                        () -> {
                          Thread.sleep(1);
                          return 1;
                        })
                    .subscribeOn(Schedulers.parallel())
                    .block(Duration.ofSeconds(10)))
        .hasCauseInstanceOf(BlockingOperationError.class);
    assertThat(BlockingCalls.drain()).singleElement().asString().contains("sleep");
  }

  private static EngineExecutionResults run(Class<?> testClass) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
        .configurationParameter(
            "junit.jupiter.extensions.autodetection.include", "io.segmenttransfer.core.testing.*")
        .selectors(selectClass(testClass))
        .execute();
  }

  private static Throwable failure(Event event) {
    return event
        .getPayload(org.junit.platform.engine.TestExecutionResult.class)
        .orElseThrow()
        .getThrowable()
        .orElseThrow();
  }

  private static void leak() {
    ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(1024);
    buffer.writeLong(42);
  }

  /** Leaks a buffer, when armed. */
  static class Leaking {
    @Test
    void dropsABuffer() {
      if (armed) {
        leak();
      }
    }
  }

  /** Sleeps on a parallel thread and swallows BlockHound's error, when armed. */
  static class Blocking {
    @Test
    void sleepsOnAParallelThread() {
      if (armed) {
        Mono.fromCallable(
                () -> {
                  Thread.sleep(1);
                  return 1;
                })
            .subscribeOn(Schedulers.parallel())
            .onErrorReturn(0)
            .block(Duration.ofSeconds(10));
      }
    }
  }
}
