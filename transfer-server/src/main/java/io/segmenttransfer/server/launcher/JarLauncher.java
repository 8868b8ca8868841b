package io.segmenttransfer.server.launcher;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The main class of {@code segment-transfer.jar}, which holds only this package and the
 * application's own jar ({@link UnpackedApplication}, for why). It unpacks the application once,
 * then runs a one-shot command in a child JVM with a class-data-sharing archive ({@link
 * ClassDataSharingLauncher}) and anything else (daemons, help, a launcher turned off) in this JVM,
 * through a class loader of the unpacked jar whose parent is the platform class loader, so the
 * application sees exactly its own jar, as it would on a class path of its own.
 *
 * <p>{@code pinot-tools.jar}, which the build copies beside {@code segment-transfer.jar}, is named
 * to the application ({@code -Dsegmenttransfer.pinotTools}) unless the user named one: the
 * application looks beside the jar its classes came from, now the unpacked one in the cache. So is
 * a directory for native libraries beside the unpacked jar ({@value #NATIVE_DIR_PROPERTY}).
 */
public final class JarLauncher {

  /** The application's main class, in the nested jar. */
  static final String MAIN_CLASS = "io.segmenttransfer.server.cli.Main";

  static final String PINOT_TOOLS_PROPERTY = "segmenttransfer.pinotTools";
  static final String PINOT_TOOLS_ENV = "SEGMENT_TRANSFER_PINOT_TOOLS";
  static final String PINOT_TOOLS_FILE = "pinot-tools.jar";

  /**
   * The directory in which the application keeps zstd-jni's native library once unpacked, instead
   * of zstd-jni writing it to a new temporary file on every run (transfer-core's {@code
   * ZstdNativeLibrary} reads it; this launcher may use no class of the application's).
   */
  static final String NATIVE_DIR_PROPERTY = "segment-transfer.native.dir";

  private JarLauncher() {}

  public static void main(String[] args) throws Throwable {
    Path outer = runningJar();
    if (outer == null) {
      System.err.println(
          "segment-transfer: run it as java -jar segment-transfer.jar (the class path is "
              .concat(System.getProperty("java.class.path", ""))
              .concat(")"));
      System.exit(ClassDataSharingLauncher.EXIT_FAILED);
      return;
    }
    UnpackedApplication app;
    try {
      app = UnpackedApplication.of(outer);
    } catch (IOException e) {
      String why = e.getMessage() == null ? e.toString() : e.getMessage();
      System.err.println("segment-transfer: cannot unpack the application: ".concat(why));
      System.exit(ClassDataSharingLauncher.EXIT_FAILED);
      return;
    }
    Optional<Path> pinotTools =
        pinotToolsBeside(
            outer, System.getProperty(PINOT_TOOLS_PROPERTY), System.getenv(PINOT_TOOLS_ENV));
    List<String> properties = new ArrayList<>();
    if (pinotTools.isPresent()) {
      properties.add(pinotToolsFlag(pinotTools.get()));
    }
    boolean natives = app.cached() && System.getProperty(NATIVE_DIR_PROPERTY) == null;
    if (natives) {
      properties.add(flag(NATIVE_DIR_PROPERTY, app.natives().toString()));
    }
    Optional<Integer> exit = ClassDataSharingLauncher.relaunch(args, outer, app, properties);
    if (exit.isPresent()) {
      System.exit(exit.get());
    }
    if (pinotTools.isPresent()) {
      System.setProperty(PINOT_TOOLS_PROPERTY, pinotTools.get().toString());
    }
    if (natives) {
      System.setProperty(NATIVE_DIR_PROPERTY, app.natives().toString());
    }
    runHere(app.jar(), args);
  }

  /**
   * {@code pinot-tools.jar} beside the outer jar, when neither the property nor the environment
   * variable names one already (each wins over the jar found here, as the application documents).
   */
  static Optional<Path> pinotToolsBeside(Path outer, String property, String env) {
    if (named(property) || named(env) || outer.toAbsolutePath().getParent() == null) {
      return Optional.empty();
    }
    Path beside = outer.toAbsolutePath().getParent().resolve(PINOT_TOOLS_FILE);
    return Files.isRegularFile(beside) ? Optional.of(beside) : Optional.empty();
  }

  /** Set and not blank, as the application reads the property and the variable. */
  private static boolean named(String value) {
    return value != null && !value.isBlank();
  }

  static String pinotToolsFlag(Path jar) {
    return flag(PINOT_TOOLS_PROPERTY, jar.toString());
  }

  private static String flag(String property, String value) {
    return "-D".concat(property).concat("=").concat(value);
  }

  /**
   * Runs the application's {@code main} in this JVM. Its own {@code System.exit} ends the JVM; an
   * exception it throws is rethrown as the JVM would report it from a main class of its own.
   */
  static void runHere(Path appJar, String[] args) throws Throwable {
    URL[] urls = {appJar.toUri().toURL()};
    // Never closed: the application's classes load from it until the JVM exits.
    URLClassLoader loader =
        new URLClassLoader("segment-transfer", urls, ClassLoader.getPlatformClassLoader());
    Thread.currentThread().setContextClassLoader(loader);
    Method main = Class.forName(MAIN_CLASS, true, loader).getMethod("main", String[].class);
    try {
      main.invoke(null, (Object) args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** The jar {@code java -jar} runs: the class path when it is exactly one jar. */
  static Path runningJar() {
    String classPath = System.getProperty("java.class.path", "");
    if (classPath.isEmpty()
        || classPath.contains(File.pathSeparator)
        || !classPath.endsWith(".jar")) {
      return null;
    }
    Path jar = Path.of(classPath);
    return Files.isRegularFile(jar) ? jar : null;
  }
}
