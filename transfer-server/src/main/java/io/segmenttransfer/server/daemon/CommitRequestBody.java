package io.segmenttransfer.server.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segmenttransfer.core.error.InvalidRequestException;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What {@code POST /segments/{t}/{s}/commit} asks: {@code {"segmentDir": "<absolute path on this
 * machine>", "offset": "<streamPartitionMsgOffset>"}} as a JSON body, or the same names as query
 * parameters (a body field wins). The offset is optional (null: the segment's end offset).
 */
record CommitRequestBody(Path segmentDir, @Nullable String offset) {

  static final String SEGMENT_DIR = "segmentDir";
  static final String OFFSET = "offset";

  /** A commit request is two short strings; anything longer is not one. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  static CommitRequestBody parse(String segmentName, byte[] body, Map<String, List<String>> query) {
    JsonNode node = null;
    if (body.length > 0) {
      try {
        node = JSON.readTree(body);
      } catch (IOException e) {
        throw new InvalidRequestException(
            segmentName, "commit body is not JSON: " + e.getMessage());
      }
      if (node != null && !node.isObject()) {
        throw new InvalidRequestException(
            segmentName, "commit body must be a JSON object with segmentDir and offset");
      }
    }
    String dir = field(node, query, SEGMENT_DIR);
    if (dir == null || dir.isBlank()) {
      throw new InvalidRequestException(
          segmentName, "commit needs segmentDir, the segment's directory on this server");
    }
    Path path;
    try {
      path = Path.of(dir);
    } catch (InvalidPathException e) {
      throw new InvalidRequestException(
          segmentName, "segmentDir '" + dir + "' is not a path: " + e.getMessage());
    }
    // Relative to what? The server's working directory is nobody's business: say it exactly.
    if (!path.isAbsolute()) {
      throw new InvalidRequestException(
          segmentName, "segmentDir must be an absolute path, was '" + dir + "'");
    }
    return new CommitRequestBody(path.normalize(), field(node, query, OFFSET));
  }

  private static @Nullable String field(
      @Nullable JsonNode node, Map<String, List<String>> query, String name) {
    if (node != null && node.hasNonNull(name)) {
      return node.get(name).asText();
    }
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
