package io.segmenttransfer.pinotfetcher;

/**
 * The JNI codecs the plugin uses from the server's classpath rather than its own jar: a JNI
 * library's native symbols name its Java package, so it cannot be relocated, and Pinot 1.5's
 * pinot-common already depends on the same versions (zstd-jni 1.5.7-28, lz4-java 1.8.0).
 */
final class NativeCodecs {

  private static final String[] REQUIRED = {
    "com.github.luben.zstd.Zstd", "net.jpountz.lz4.LZ4Factory"
  };

  private NativeCodecs() {}

  /** Fails with one line naming the missing library, at init rather than at the first download. */
  static void requirePresent() {
    for (String className : REQUIRED) {
      try {
        Class.forName(className, false, NativeCodecs.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(
            "segment fetcher: "
                + className
                + " is not on the server's classpath (zstd-jni and lz4-java ship with Pinot's"
                + " pinot-common; this plugin uses the server's copies)",
            e);
      }
    }
  }
}
