package io.segmenttransfer.core.error;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Every source was tried within its retry budget and none delivered the segment. */
public final class SourcesExhaustedException extends SegmentTransferException {

  /** One failed attempt: which source, which try (1-based), from which byte offset, and why. */
  public record Attempt(URI source, int attempt, long offset, Throwable cause) {
    @Override
    public String toString() {
      return "#" + attempt + (offset > 0 ? " from byte " + offset : "") + ": " + reason();
    }

    /**
     * Why it failed, naming the source once: a source's own error already starts with its URI; any
     * other (a bad archive, a CRC mismatch) gets it put in front.
     */
    public String reason() {
      if (cause instanceof SourceException e && e.source().equals(source)) {
        return String.valueOf(cause.getMessage());
      }
      return source + ": " + cause.getMessage();
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
    // Repeated attempts that failed the same way are told once, with their count: a person reads
    // the cause, not three copies of it.
    Map<String, Integer> reasons = new LinkedHashMap<>();
    attempts.forEach(a -> reasons.merge(a.reason(), 1, Integer::sum));
    String told =
        reasons.entrySet().stream()
            .map(e -> e.getKey() + (e.getValue() > 1 ? " (" + e.getValue() + " attempts)" : ""))
            .collect(Collectors.joining("; "));
    return reasons.size() == 1 ? told : "every source failed: " + told;
  }

  public List<Attempt> attempts() {
    return attempts;
  }
}
