package io.segmenttransfer.core.error;

import java.net.URI;
import java.util.List;
import java.util.stream.Collectors;

/** Every source was tried within its retry budget and none delivered the segment. */
public final class SourcesExhaustedException extends SegmentTransferException {

  /** One failed attempt: which source, which try (1-based), from which byte offset, and why. */
  public record Attempt(URI source, int attempt, long offset, Throwable cause) {
    @Override
    public String toString() {
      return source
          + " #"
          + attempt
          + (offset > 0 ? " from byte " + offset : "")
          + ": "
          + cause.getClass().getSimpleName()
          + ": "
          + cause.getMessage();
    }
  }

  private final List<Attempt> attempts;

  public SourcesExhaustedException(String subject, List<Attempt> attempts) {
    super(
        subject,
        describe(attempts),
        attempts.isEmpty() ? null : attempts.get(attempts.size() - 1).cause());
    this.attempts = List.copyOf(attempts);
    attempts.forEach(
        a -> {
          if (a.cause() != getCause()) addSuppressed(a.cause());
        });
  }

  private static String describe(List<Attempt> attempts) {
    if (attempts.isEmpty()) {
      return "no source to download from";
    }
    return "all "
        + attempts.size()
        + " attempts failed: "
        + attempts.stream().map(Attempt::toString).collect(Collectors.joining("; "));
  }

  public List<Attempt> attempts() {
    return attempts;
  }
}
