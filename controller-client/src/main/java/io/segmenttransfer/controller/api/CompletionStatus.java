package io.segmenttransfer.controller.api;

import io.segmenttransfer.core.error.InvalidRequestException;
import java.util.Locale;

/**
 * The controller's answers in Pinot's segment completion protocol. Only {@link #COMMIT_SUCCESS}
 * means a segment is committed; {@link #HOLD} asks the server to ask again within three seconds.
 */
public enum CompletionStatus {
  /** This replica is the committer: build the segment and start the commit. */
  COMMIT,
  /** Wait and report again (another replica may be committing). */
  HOLD,
  /** Consume up to the offset in the response, then report again. */
  CATCH_UP,
  /** Drop the local copy and load the committed one through the normal download path. */
  DISCARD,
  /** The local copy equals the committed one (same end offset): keep it. */
  KEEP,
  /** This controller does not lead the table: find the leader and ask it. */
  NOT_LEADER,
  FAILED,
  /** The answer to {@code segmentCommitStart}: go on with the upload and the commit end. */
  COMMIT_CONTINUE,
  COMMIT_SUCCESS,
  PROCESSED,
  UPLOAD_SUCCESS;

  /**
   * Parses a status name case-insensitively; anything else is an {@link InvalidRequestException}.
   */
  public static CompletionStatus parse(String value) {
    if (value != null) {
      try {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException ignored) {
        // fall through to the message naming the value
      }
    }
    throw new InvalidRequestException(
        null, "completion status '" + value + "' is not one Pinot's protocol knows");
  }
}
