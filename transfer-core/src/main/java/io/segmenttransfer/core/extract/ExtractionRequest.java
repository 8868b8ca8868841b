package io.segmenttransfer.core.extract;

import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.TableNameWithType;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * One archive to extract into {@code <dataDir>/<table>/<segment>}.
 *
 * @param dataDir the server's data directory
 * @param table the table the segment belongs to
 * @param segmentName the segment's name; when empty, the archive's top-level directory names it
 * @param expectedCrc the CRC the segment metadata promises, checked against the bytes
 * @param crypter the crypter named in the segment metadata; empty means none
 */
public record ExtractionRequest(
    Path dataDir,
    TableNameWithType table,
    Optional<String> segmentName,
    OptionalLong expectedCrc,
    Optional<String> crypter) {

  public ExtractionRequest {
    if (dataDir == null || table == null) {
      throw new IllegalArgumentException("dataDir and table are required");
    }
    segmentName.ifPresent(SegmentId::validateSegmentName);
  }

  public static ExtractionRequest of(Path dataDir, TableNameWithType table) {
    return new ExtractionRequest(
        dataDir, table, Optional.empty(), OptionalLong.empty(), Optional.empty());
  }

  public static ExtractionRequest of(Path dataDir, SegmentId segment) {
    return of(dataDir, segment.table()).withSegmentName(segment.segmentName());
  }

  public ExtractionRequest withSegmentName(String name) {
    return new ExtractionRequest(dataDir, table, Optional.of(name), expectedCrc, crypter);
  }

  public ExtractionRequest withExpectedCrc(long crc) {
    return new ExtractionRequest(dataDir, table, segmentName, OptionalLong.of(crc), crypter);
  }

  public ExtractionRequest withCrypter(@Nullable String name) {
    return new ExtractionRequest(
        dataDir, table, segmentName, expectedCrc, Optional.ofNullable(name));
  }

  /**
   * The segment error messages name; null while the archive has not named it (the source's URI in
   * the download's error says which archive it was).
   */
  @Nullable String subject() {
    return segmentName.orElse(null);
  }

  Path tableDir() {
    return dataDir.resolve(table.toString());
  }
}
