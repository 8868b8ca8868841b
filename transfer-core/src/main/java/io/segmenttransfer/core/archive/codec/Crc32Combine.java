package io.segmenttransfer.core.archive.codec;

/**
 * CRC-32 (the gzip polynomial) of two pieces joined, from the pieces' CRCs and the second's length,
 * as zlib's {@code crc32_combine} computes it: {@code crc(AB) = crc(A) * x^(8 len(B)) + crc(B)} in
 * GF(2) modulo the CRC polynomial, with {@code x^(8n)} built from a table of {@code x^(2^k)}. The
 * JDK has no such function, and the one JVM implementation found (in the AWS SDK) is internal to
 * that SDK, so this is the zlib math written out (about 30 lines, tested against {@link
 * java.util.zip.CRC32} over the whole input).
 */
final class Crc32Combine {

  /** The reflected gzip polynomial. */
  private static final int POLY = 0xedb88320;

  /** {@code X2N[k] = x^(2^k) mod p(x)}, reflected. */
  private static final int[] X2N = new int[32];

  static {
    int p = 1 << 30; // x^1
    X2N[0] = p;
    for (int n = 1; n < 32; n++) {
      X2N[n] = p = multiply(p, p);
    }
  }

  private Crc32Combine() {}

  /** The CRC-32 of A followed by B, given CRC-32(A), CRC-32(B) and B's length in bytes. */
  static int combine(int crcA, int crcB, long lengthB) {
    if (lengthB < 0) {
      throw new IllegalArgumentException("negative length " + lengthB);
    }
    return multiply(powerOfX(lengthB, 3), crcA) ^ crcB;
  }

  /** {@code a(x) * b(x) mod p(x)}, reflected; {@code a} must not be zero. */
  private static int multiply(int a, int b) {
    int m = 1 << 31;
    int p = 0;
    while (true) {
      if ((a & m) != 0) {
        p ^= b;
        if ((a & (m - 1)) == 0) {
          return p;
        }
      }
      m >>>= 1;
      b = (b & 1) != 0 ? (b >>> 1) ^ POLY : b >>> 1;
    }
  }

  /** {@code x^(n * 2^k) mod p(x)}: with k = 3, x to the power of n bytes' bits. */
  private static int powerOfX(long n, int k) {
    int p = 1 << 31; // x^0
    while (n != 0) {
      if ((n & 1) != 0) {
        p = multiply(X2N[k & 31], p);
      }
      n >>>= 1;
      k++;
    }
    return p;
  }
}
