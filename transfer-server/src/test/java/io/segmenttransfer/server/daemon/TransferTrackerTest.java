package io.segmenttransfer.server.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.error.SourceUnavailableException;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import io.segmenttransfer.core.transfer.TransferEvent;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The transfer list {@code GET /transfers} serves, built from the data directory's events. */
class TransferTrackerTest {

  private static final URI DEEP = URI.create("s3://bucket/events_OFFLINE/s.tar.gz");
  private static final URI PEER = URI.create("http://10.0.0.7:8097/segments/events_OFFLINE/s2");

  /** A clock the test moves. */
  private static final class Ticking extends Clock {
    Instant now = Instant.parse("2026-12-06T12:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private static SegmentId segment(String name) {
    return SegmentId.of("events_OFFLINE", name);
  }

  @Test
  void listsInFlightThenFinishedWithSourceBytesRateRetriesAndOutcome() {
    Ticking clock = new Ticking();
    TransferTracker tracker = new TransferTracker(clock, 10);
    SegmentId s1 = segment("s1");
    SegmentId s2 = segment("s2");

    tracker.on(new TransferEvent.AttemptStarted(s1, DEEP, 1, 0));
    tracker.on(new TransferEvent.Progress(s1, DEEP, 1_000_000, 4_000_000));
    tracker.on(
        new TransferEvent.AttemptFailed(
            s1, DEEP, 1, 1_000_000, new SourceUnavailableException(DEEP, "reset", null)));
    tracker.on(new TransferEvent.AttemptStarted(s1, DEEP, 2, 1_000_000));
    tracker.on(new TransferEvent.Progress(s1, DEEP, 2_000_000, 4_000_000));
    clock.now = clock.now.plusSeconds(2);

    TransferTracker.Transfer running = tracker.list().get(0);
    assertThat(running)
        .isEqualTo(
            new TransferTracker.Transfer(
                "events_OFFLINE",
                "s1",
                "in-flight",
                "deepstore-s3",
                2_000_000,
                4_000_000,
                1_000_000,
                1,
                2000,
                null,
                DEEP + ": reset"));

    tracker.on(new TransferEvent.AttemptStarted(s2, PEER, 1, 0));
    tracker.on(new TransferEvent.Progress(s2, PEER, 500, 500));
    clock.now = clock.now.plusSeconds(1);
    tracker.on(
        new TransferEvent.Finished(s2, "add", "downloaded", 900, 1, Duration.ofSeconds(1), null));

    List<TransferTracker.Transfer> list = tracker.list();
    assertThat(list).extracting(TransferTracker.Transfer::segment).containsExactly("s1", "s2");
    TransferTracker.Transfer done = list.get(1);
    assertThat(done.state()).isEqualTo("finished");
    assertThat(done.source()).isEqualTo("peer 10.0.0.7:8097");
    assertThat(done.outcome()).isEqualTo("downloaded");
    assertThat(done.bytesDone()).isEqualTo(500);
    assertThat(done.retries()).isZero();
    assertThat(done.error()).isNull();

    assertThat(TransferTracker.text(list))
        .startsWith("table")
        .contains("s1", "in-flight", "deepstore-s3", "retrying: " + DEEP + ": reset")
        .contains("s2", "finished", "peer 10.0.0.7:8097", "downloaded");
    assertThat(tracker.tables())
        .containsEntry(
            TableNameWithType.parse("events_OFFLINE"),
            new TransferTracker.TableTotals(1, 1, 0, 2_000_500));
  }

  @Test
  void keptCopiesAreNotTransfersFailuresAreAndTheHistoryIsBounded() {
    Ticking clock = new Ticking();
    TransferTracker tracker = new TransferTracker(clock, 2);
    tracker.on(
        new TransferEvent.Finished(segment("kept"), "add", "kept", 0, 0, Duration.ZERO, null));
    assertThat(tracker.list()).isEmpty();

    tracker.on(
        new TransferEvent.Finished(
            segment("bad"),
            "add",
            "failed",
            0,
            0,
            Duration.ofMillis(5),
            new IllegalStateException("no CRC")));
    for (String name : List.of("a", "b")) {
      tracker.on(new TransferEvent.AttemptStarted(segment(name), DEEP, 1, 0));
      tracker.on(
          new TransferEvent.Finished(
              segment(name), "add", "downloaded", 10, 1, Duration.ofMillis(5), null));
    }
    assertThat(tracker.list())
        .extracting(TransferTracker.Transfer::segment)
        .containsExactly("b", "a"); // newest first; "bad" fell out of the 2 kept
    tracker.on(
        new TransferEvent.Finished(
            segment("bad2"),
            "add",
            "failed",
            0,
            0,
            Duration.ofMillis(5),
            new IllegalStateException("no CRC")));
    assertThat(tracker.list().get(0).error()).isEqualTo("no CRC");
    assertThat(tracker.list().get(0).outcome()).isEqualTo("failed");
    assertThat(tracker.list()).hasSize(2);
  }
}
