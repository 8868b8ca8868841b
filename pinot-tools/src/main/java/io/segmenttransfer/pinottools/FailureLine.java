package io.segmenttransfer.pinottools;

/**
 * The one line a failed command prints on stderr: the command, then every distinct message of the
 * cause chain (Pinot often wraps the telling message in a generic one), on one line so the
 * launching service can show it as the segment's failure cause.
 */
final class FailureLine {

  private FailureLine() {}

  static String of(String command, Throwable failure) {
    StringBuilder line = new StringBuilder(command).append(" failed: ");
    String previous = null;
    int parts = 0;
    for (Throwable t = failure; t != null && parts < 4; t = t.getCause()) {
      String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      if (previous != null && previous.contains(message)) {
        continue;
      }
      if (parts > 0) {
        line.append(": ");
      }
      line.append(message);
      previous = message;
      parts++;
    }
    return line.toString().replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }
}
