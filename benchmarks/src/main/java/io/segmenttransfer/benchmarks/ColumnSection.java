package io.segmenttransfer.benchmarks;

/**
 * One contiguous region of {@code columns.psf}: a column's dictionary or forward index. Pinot's v3
 * single-file layout keeps each index contiguous, so a segment's compressibility varies region by
 * region much as these kinds do.
 *
 * @param column the column the region belongs to
 * @param index {@code dictionary} or {@code forward_index}
 * @param kind how its bytes look
 * @param offset where it starts in {@code columns.psf}
 * @param size its length in bytes
 */
record ColumnSection(String column, String index, Kind kind, long offset, long size) {

  /** The byte patterns of Pinot indexes, from most to least compressible. */
  enum Kind {
    /**
     * A sorted string dictionary: fixed-width, zero-padded, ascending values with a shared prefix.
     */
    SORTED_STRINGS,
    /** A raw sorted timestamp column: big-endian longs with small positive deltas. */
    SORTED_TIMESTAMPS,
    /** A bit-packed forward index of a low-cardinality column with a skewed value distribution. */
    SKEWED_DICT_IDS,
    /** A raw metric column of doubles with two decimals (prices, amounts). */
    DECIMAL_DOUBLES,
    /** A bit-packed forward index of a high-cardinality column: close to random. */
    RANDOM_DICT_IDS
  }
}
