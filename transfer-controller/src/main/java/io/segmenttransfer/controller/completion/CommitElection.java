package io.segmenttransfer.controller.completion;

import io.segmenttransfer.controller.api.CompletionResponse;
import io.segmenttransfer.controller.api.CompletionStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One consuming segment's election of a committer, as Pinot's {@code SegmentCompletionFSM} runs it,
 * in memory only: after a controller restart replicas simply report again (a segment already
 * COMMITTING is taken up again from its durable record, {@link #committing}).
 *
 * <ul>
 *   <li><b>Holding</b>: replicas report {@code segmentConsumed} with their offsets and are told
 *       HOLD until every expected replica (the table's replication, less those that stopped
 *       consuming) has reported or the hold window has passed since the first report.
 *   <li><b>Decided</b>: the committer is the replica that reached the highest offset first. It is
 *       told COMMIT with the build time left; others are told CATCH_UP (behind) or HOLD.
 *   <li><b>Committing</b>: the committer's {@code segmentCommitStart} was accepted. Others still
 *       get CATCH_UP or HOLD until the commit ends (then the durable record answers KEEP/DISCARD).
 * </ul>
 *
 * A committer that has not finished by its deadline (the build time, stretched by {@code
 * extendBuildTime}) loses: the next report elects another replica among those known.
 *
 * <p>Not thread-safe: used only inside one {@code ControllerState.mutate} at a time, on a {@link
 * #copy()}, the copy installed once the change it belongs to is durable.
 */
final class CommitElection {

  enum Phase {
    HOLDING,
    DECIDED,
    COMMITTING
  }

  /** What {@link #commitStart} decided. */
  enum Start {
    CONTINUE,
    HOLD,
    FAILED
  }

  private final CompletionConfig config;
  private long startMs;

  /** Instance to its latest offset, and when (a sequence number) it reached that offset. */
  private final Map<String, String> offsets = new LinkedHashMap<>();

  private final Map<String, Long> reachedAt = new LinkedHashMap<>();
  private final Set<String> stopped = new LinkedHashSet<>();
  private long sequence;
  private Phase phase = Phase.HOLDING;
  private String committer;
  private String winningOffset;
  private long decidedMs;
  private long deadlineMs;

  private CommitElection(CompletionConfig config, long startMs) {
    this.config = config;
    this.startMs = startMs;
  }

  static CommitElection start(CompletionConfig config, long nowMs) {
    return new CommitElection(config, nowMs);
  }

  /**
   * A commit in progress found in the durable record after a restart: its committer gets a fresh
   * build time.
   */
  static CommitElection committing(
      CompletionConfig config, String committer, String offset, long nowMs) {
    CommitElection election = new CommitElection(config, nowMs);
    election.report(committer, offset);
    election.decide(committer, offset, nowMs);
    election.phase = Phase.COMMITTING;
    return election;
  }

  CommitElection copy() {
    CommitElection copy = new CommitElection(config, startMs);
    copy.offsets.putAll(offsets);
    copy.reachedAt.putAll(reachedAt);
    copy.stopped.addAll(stopped);
    copy.sequence = sequence;
    copy.phase = phase;
    copy.committer = committer;
    copy.winningOffset = winningOffset;
    copy.decidedMs = decidedMs;
    copy.deadlineMs = deadlineMs;
    return copy;
  }

  Phase phase() {
    return phase;
  }

  String committer() {
    return committer;
  }

  boolean isCommitter(String instance) {
    return phase != Phase.HOLDING && instance.equals(committer);
  }

  /** The committer first, then the other replicas that reported, in the order they first did. */
  List<String> holders() {
    List<String> holders = new ArrayList<>();
    if (committer != null) {
      holders.add(committer);
    }
    offsets.keySet().stream()
        .filter(i -> !i.equals(committer) && !stopped.contains(i))
        .forEach(holders::add);
    return holders;
  }

  /** {@code segmentConsumed}: HOLD, COMMIT, CATCH_UP, as the phase and the offsets say. */
  CompletionResponse consumed(String instance, String offset, int replication, long nowMs) {
    stopped.remove(instance);
    report(instance, offset);
    expireIfLate(nowMs);
    if (phase == Phase.HOLDING) {
      int expected = Math.max(1, replication - stopped.size());
      if (offsets.size() < expected && nowMs < startMs + config.holdWindow().toMillis()) {
        return CompletionResponse.of(CompletionStatus.HOLD, offset);
      }
      elect(nowMs);
    }
    if (instance.equals(committer)) {
      if (phase == Phase.COMMITTING && StreamOffsets.same(offset, winningOffset)) {
        // The committer lost its commit's answer (a controller restart, a dropped connection) and
        // reports again: it may go on, or nobody could ever finish this commit.
        return CompletionResponse.of(CompletionStatus.COMMIT, winningOffset)
            .withBuildTimeSec(buildTimeLeftSec(nowMs));
      }
      if (phase == Phase.DECIDED) {
        if (StreamOffsets.same(offset, winningOffset)) {
          return CompletionResponse.of(CompletionStatus.COMMIT, winningOffset)
              .withBuildTimeSec(buildTimeLeftSec(nowMs));
        }
        // The committer moved past the offset it was elected at: start over, as Pinot aborts.
        restart(nowMs);
        report(instance, offset);
      }
      return CompletionResponse.of(CompletionStatus.HOLD, offset);
    }
    if (StreamOffsets.compare(offset, winningOffset) < 0) {
      return CompletionResponse.of(CompletionStatus.CATCH_UP, winningOffset);
    }
    // At or past the winning offset: wait for the commit (and be ready should the committer fail).
    return CompletionResponse.of(CompletionStatus.HOLD, offset);
  }

  /** {@code segmentCommitStart}: only the elected committer at its offset may go on. */
  Start commitStart(String instance, String offset, long nowMs) {
    expireIfLate(nowMs);
    if (phase == Phase.HOLDING) {
      return Start.HOLD; // no committer yet (or the controller restarted): the server reports again
    }
    if (!instance.equals(committer)) {
      // Pinot answers FAILED to a commit from anyone but the committer it notified; once a commit
      // is under way, HOLD, so the replica is ready should the committer fail.
      return phase == Phase.COMMITTING ? Start.HOLD : Start.FAILED;
    }
    if (!StreamOffsets.same(offset, winningOffset)) {
      restart(nowMs);
      return Start.FAILED;
    }
    phase = Phase.COMMITTING;
    return Start.CONTINUE;
  }

  /** {@code segmentStoppedConsuming}: the replica will not commit and is not waited for. */
  void stopped(String instance) {
    offsets.remove(instance);
    reachedAt.remove(instance);
    stopped.add(instance);
  }

  /** {@code extendBuildTime}: the committer's deadline becomes now + extra, within the cap. */
  boolean extend(String instance, String offset, int extraTimeSec, long nowMs) {
    if (!isCommitter(instance)
        || extraTimeSec <= 0
        || (offset != null && !StreamOffsets.same(offset, winningOffset))) {
      return false;
    }
    long deadline = nowMs + extraTimeSec * 1000L;
    if (deadline > decidedMs + config.maxBuildTime().toMillis()) {
      return false;
    }
    deadlineMs = Math.max(deadlineMs, deadline);
    return true;
  }

  long buildTimeLeftSec(long nowMs) {
    return Math.max(1, (deadlineMs - nowMs + 999) / 1000);
  }

  private void report(String instance, String offset) {
    if (!offset.equals(offsets.get(instance))) {
      offsets.put(instance, offset);
      reachedAt.put(instance, ++sequence);
    }
  }

  /** A committer past its deadline loses; another is elected among the replicas known, if any. */
  private void expireIfLate(long nowMs) {
    if (phase != Phase.HOLDING && nowMs > deadlineMs) {
      offsets.remove(committer);
      reachedAt.remove(committer);
      committer = null;
      winningOffset = null;
      phase = Phase.HOLDING;
      if (offsets.isEmpty()) {
        startMs = nowMs;
      } else {
        elect(nowMs);
      }
    }
  }

  /** The replica that reached the highest offset first. */
  private void elect(long nowMs) {
    String winner = null;
    for (String instance : offsets.keySet()) {
      if (winner == null) {
        winner = instance;
        continue;
      }
      int order = StreamOffsets.compare(offsets.get(instance), offsets.get(winner));
      if (order > 0 || (order == 0 && reachedAt.get(instance) < reachedAt.get(winner))) {
        winner = instance;
      }
    }
    decide(winner, offsets.get(winner), nowMs);
  }

  private void decide(String winner, String offset, long nowMs) {
    committer = winner;
    winningOffset = offset;
    phase = Phase.DECIDED;
    decidedMs = nowMs;
    deadlineMs = nowMs + config.buildTime().toMillis();
  }

  private void restart(long nowMs) {
    offsets.clear();
    reachedAt.clear();
    committer = null;
    winningOffset = null;
    phase = Phase.HOLDING;
    startMs = nowMs;
  }
}
