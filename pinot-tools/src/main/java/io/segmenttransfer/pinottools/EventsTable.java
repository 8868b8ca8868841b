package io.segmenttransfer.pinottools;

import java.util.List;
import org.apache.pinot.spi.config.table.TableConfig;
import org.apache.pinot.spi.config.table.TableType;
import org.apache.pinot.spi.data.FieldSpec.DataType;
import org.apache.pinot.spi.data.Schema;
import org.apache.pinot.spi.utils.builder.TableConfigBuilder;

/**
 * The schema and table config of the segments {@code build-segment} makes: a click-stream table
 * shaped like real ones. Dimension columns with dictionaries (low and high cardinality, one
 * multi-value), raw (no-dictionary) metric columns and a raw string column, an epoch-millis time
 * column; inverted indexes on the low-cardinality dimensions, range indexes on the time column, a
 * high-cardinality dimension and a raw metric. {@code campaign} deliberately has no index, so a
 * table config change can add one.
 */
final class EventsTable {

  static final String COUNTRY = "country";
  static final String DEVICE = "device";
  static final String CAMPAIGN = "campaign";
  static final String USER_ID = "userId";
  static final String TAGS = "tags";
  static final String SESSION_ID = "sessionId";
  static final String CLICKS = "clicks";
  static final String REVENUE = "revenue";
  static final String LATENCY_MS = "latencyMs";
  static final String TIME = "ts";

  private EventsTable() {}

  static Schema schema(String tableName) {
    return new Schema.SchemaBuilder()
        .setSchemaName(tableName)
        .addSingleValueDimension(COUNTRY, DataType.STRING)
        .addSingleValueDimension(DEVICE, DataType.STRING)
        .addSingleValueDimension(CAMPAIGN, DataType.STRING)
        .addSingleValueDimension(USER_ID, DataType.LONG)
        .addMultiValueDimension(TAGS, DataType.STRING)
        .addSingleValueDimension(SESSION_ID, DataType.STRING)
        .addMetric(CLICKS, DataType.INT)
        .addMetric(REVENUE, DataType.DOUBLE)
        .addMetric(LATENCY_MS, DataType.INT)
        // An explicit default: without one Pinot takes the current time, which lands in the
        // column's
        // metadata and so in the CRC, and the same seed would no longer give the same segment.
        .addDateTime(
            TIME,
            DataType.LONG,
            "1:MILLISECONDS:EPOCH",
            "1:MILLISECONDS",
            GeneratedEvents.START_MILLIS,
            null)
        .build();
  }

  static TableConfig tableConfig(String tableName) {
    return new TableConfigBuilder(TableType.OFFLINE)
        .setTableName(tableName)
        .setTimeColumnName(TIME)
        .setSegmentVersion("v3")
        .setNoDictionaryColumns(List.of(SESSION_ID, CLICKS, REVENUE, LATENCY_MS))
        .setInvertedIndexColumns(List.of(COUNTRY, DEVICE, TAGS))
        .setCreateInvertedIndexDuringSegmentGeneration(true)
        .setRangeIndexColumns(List.of(TIME, USER_ID, LATENCY_MS))
        .build();
  }
}
