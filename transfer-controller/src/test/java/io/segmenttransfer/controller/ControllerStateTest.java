package io.segmenttransfer.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.controller.ControllerStore.Change;
import io.segmenttransfer.controller.ControllerStore.Snapshot;
import io.segmenttransfer.core.cluster.InstanceInfo;
import io.segmenttransfer.core.error.ShuttingDownException;
import io.segmenttransfer.http.ErrorStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** Changes requested around a stop are answered, never left waiting. */
class ControllerStateTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private Scheduler scheduler;
  private ControllerState state;

  @BeforeEach
  void load() {
    scheduler = Schedulers.newBoundedElastic(2, 100, "state-test");
    state = ControllerState.load(new FileControllerStore(dir, scheduler)).block(TIMEOUT);
  }

  @AfterEach
  void stop() {
    scheduler.dispose();
  }

  @Test
  void aChangeAskedForAfterTheStopIsRefusedWith503() {
    state.close();

    StepVerifier.create(state.mutate(draft -> "never applied"))
        .expectErrorSatisfies(
            error -> {
              assertThat(error)
                  .isInstanceOf(ShuttingDownException.class)
                  .hasMessageContaining("shutting down");
              assertThat(ErrorStatus.of(error).code()).isEqualTo(503);
            })
        .verify(TIMEOUT);
  }

  @Test
  void changesQueuedWhenTheControllerStopsAreRefusedWith503() {
    // A store whose writes wait for a gate: the first change is in flight, the second queued.
    Sinks.One<Void> gate = Sinks.one();
    FileControllerStore files = new FileControllerStore(dir.resolve("gated"), scheduler);
    ControllerStore gated =
        new ControllerStore() {
          @Override
          public Mono<Snapshot> load() {
            return files.load();
          }

          @Override
          public Mono<Void> apply(List<Change> changes) {
            return gate.asMono().then(files.apply(changes));
          }
        };
    ControllerState stopping = ControllerState.load(gated).block(TIMEOUT);
    Mono<Boolean> first = stopping.mutate(draft -> draft.putInstance(server("s1")));
    Mono<Boolean> second = stopping.mutate(draft -> draft.putInstance(server("s2")));

    StepVerifier.create(Mono.zipDelayError(first.materialize(), second.materialize()))
        .then(stopping::close)
        .assertNext(
            both -> {
              for (var signal : List.of(both.getT1(), both.getT2())) {
                assertThat(signal.isOnError()).as(signal.toString()).isTrue();
                assertThat(signal.getThrowable()).isInstanceOf(ShuttingDownException.class);
                assertThat(ErrorStatus.of(signal.getThrowable()).code()).isEqualTo(503);
              }
            })
        .expectComplete()
        .verify(TIMEOUT);
    gate.tryEmitEmpty();
  }

  private static InstanceInfo server(String host) {
    return new InstanceInfo(null, host, 8098, 8097, InstanceInfo.SERVER, true);
  }

  @Test
  void aChangeBeforeTheStopIsApplied() {
    StepVerifier.create(state.mutate(draft -> "applied"))
        .expectNext("applied")
        .expectComplete()
        .verify(TIMEOUT);
  }
}
