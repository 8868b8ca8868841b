package io.segmenttransfer.s3;

/**
 * The last {@link #RECENT} measurement windows of one ranged read, and whether enough of them were
 * starved (the consumer waited for bytes) to fetch one more part at once ({@link
 * AdaptiveReadAhead}). {@link #TO_WIDEN} of the last {@link #RECENT}, not that many in a row: a
 * source equally slow for every part serves windows starved and fed in turn, because two parts that
 * start together finish together, and while the head part starves its window the part beside it has
 * come whole and feeds the next one from its buffer. One starved window among fed ones is a hiccup
 * (a busy machine, the first part's start) and widens nothing. Used by the delivering thread only.
 */
final class StarvedWindows {

  /** Windows remembered. */
  static final int RECENT = 3;

  /** Starved windows among the last {@link #RECENT} that widen the read. */
  static final int TO_WIDEN = 2;

  /** Bit {@code i} set: the window {@code i} windows back was starved. */
  private int recent;

  /**
   * Records a window; true when it makes {@link #TO_WIDEN} starved ones among the last {@link
   * #RECENT}, which are then forgotten (the next widening takes as many again).
   */
  boolean widenAfter(boolean starved) {
    recent = ((recent << 1) | (starved ? 1 : 0)) & ((1 << RECENT) - 1);
    if (Integer.bitCount(recent) < TO_WIDEN) {
      return false;
    }
    recent = 0;
    return true;
  }
}
