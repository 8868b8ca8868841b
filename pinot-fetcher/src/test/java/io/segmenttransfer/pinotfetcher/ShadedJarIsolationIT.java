package io.segmenttransfer.pinotfetcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.segmenttransfer.core.testing.PinotFixtures;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged plugin jar as a Pinot server loads it: one class loader over the shaded jar and the
 * jars of Pinot's side (pinot-common, pinot-spi and their tree, which also holds unrelocated
 * Reactor, Netty and Jackson, as a server's classpath may), nothing else. Proves that no class of
 * ours resolves to the other side's copy or the reverse, and that the plugin works there: Pinot's
 * {@code SegmentFetcherFactory}, inside that loader, fetches the fixtures from a file and over
 * HTTP.
 */
class ShadedJarIsolationIT {

  /** Libraries the plugin relocates: none of their classes may be referenced unrelocated. */
  private static final List<String> RELOCATED =
      List.of(
          "reactor/core/",
          "reactor/netty/",
          "io/netty/",
          "org/reactivestreams/",
          "software/amazon/awssdk/",
          "com/fasterxml/jackson/",
          "com/google/crypto/tink/",
          "com/google/protobuf/");

  private static Path jar;
  private static URLClassLoader loader;

  @TempDir Path dir;

  @BeforeAll
  static void load() throws Exception {
    String property = System.getProperty("segmenttransfer.pinotFetcherJar");
    assertThat(property).as("failsafe names the packaged jar").isNotNull();
    jar = Path.of(property);
    assertThat(jar).isRegularFile();
    List<URL> urls = new ArrayList<>();
    urls.add(jar.toUri().toURL());
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry);
      // Pinot's side: every jar of the test classpath but this project's own modules and classes.
      if (entry.endsWith(".jar") && !isOurs(path)) {
        urls.add(path.toUri().toURL());
      }
    }
    // Parent: the platform loader only, so the test's own classpath cannot leak in.
    loader =
        new URLClassLoader(
            "pinot-server", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
  }

  @AfterAll
  static void close() throws IOException {
    loader.close();
  }

  @Test
  void theJarHoldsOnlyOurClassesAndRelocatedOnesAndNoNativeLibrary() throws IOException {
    List<String> foreign = new ArrayList<>();
    List<String> natives = new ArrayList<>();
    try (JarFile file = new JarFile(jar.toFile())) {
      for (JarEntry entry : (Iterable<JarEntry>) file.stream()::iterator) {
        String name = entry.getName();
        if (name.endsWith(".class") && !name.startsWith("io/segmenttransfer/")) {
          foreign.add(name);
        }
        if (name.endsWith(".so") || name.endsWith(".jnilib") || name.endsWith(".dll")) {
          natives.add(name);
        }
      }
    }
    assertThat(foreign)
        .as("classes outside io.segmenttransfer (Pinot's, SLF4J, JNI codecs)")
        .isEmpty();
    assertThat(natives).isEmpty();
  }

  /**
   * Reads every class's constant pool: no class constant and no type descriptor or signature may
   * name a relocated library under its original package (what the JVM would link against the
   * server's copy). Strings such as Netty's system-property names are not class references and stay
   * as they are.
   */
  @Test
  void noClassInTheJarReferencesAnUnrelocatedLibrary() throws IOException {
    Pattern inDescriptor =
        Pattern.compile(
            "(?:^|[();\\[<])L("
                + String.join("|", RELOCATED.stream().map(Pattern::quote).toList())
                + ")");
    Map<String, String> offenders = new LinkedHashMap<>();
    int classes = 0;
    try (JarFile file = new JarFile(jar.toFile())) {
      for (JarEntry entry : (Iterable<JarEntry>) file.stream()::iterator) {
        if (!entry.getName().endsWith(".class")) {
          continue;
        }
        classes++;
        ConstantPool pool = ConstantPool.read(file.getInputStream(entry).readAllBytes());
        for (String name : pool.classNames()) {
          String type = name.replaceFirst("^\\[+L?", "");
          if (RELOCATED.stream().anyMatch(type::startsWith)) {
            offenders.put(entry.getName(), name);
          }
        }
        for (String utf8 : pool.strings()) {
          Matcher m = inDescriptor.matcher(utf8);
          if (m.find()) {
            offenders.put(entry.getName(), utf8);
          }
        }
      }
    }
    assertThat(classes).isGreaterThan(1000);
    assertThat(offenders).isEmpty();
  }

  @Test
  void eachSideResolvesItsOwnCopies() throws Exception {
    // Ours, from the plugin jar.
    assertFrom("io.segmenttransfer.pinotfetcher.SegmentTransferFetcher", jar);
    assertFrom("io.segmenttransfer.shaded.reactor.core.publisher.Flux", jar);
    assertFrom("io.segmenttransfer.shaded.io.netty.channel.Channel", jar);
    assertFrom("io.segmenttransfer.shaded.reactor.netty.http.client.HttpClient", jar);
    assertFrom("io.segmenttransfer.shaded.com.fasterxml.jackson.databind.ObjectMapper", jar);
    // The server's, never from the plugin jar.
    assertNotFrom("reactor.core.publisher.Flux", jar);
    assertNotFrom("io.netty.channel.Channel", jar);
    assertNotFrom("com.fasterxml.jackson.databind.ObjectMapper", jar);
    assertNotFrom("org.apache.pinot.common.utils.fetcher.SegmentFetcher", jar);
    assertNotFrom("org.apache.pinot.spi.env.PinotConfiguration", jar);
    assertNotFrom("org.slf4j.Logger", jar);
    // The JNI codecs are the server's, shared on purpose (their natives cannot be relocated).
    assertNotFrom("com.github.luben.zstd.Zstd", jar);
    // The plugin's fetcher class links against the server's SPI, not a copy.
    Class<?> fetcher = loader.loadClass("io.segmenttransfer.pinotfetcher.SegmentTransferFetcher");
    assertThat(fetcher.getSuperclass().getName())
        .isEqualTo("org.apache.pinot.common.utils.fetcher.BaseSegmentFetcher");
    assertThat(fetcher.getSuperclass().getClassLoader()).isSameAs(loader);
  }

  @Test
  void pinotsFactoryFetchesThroughTheShadedPluginFromAFileAndOverHttp() throws Exception {
    try (ArchiveHttpServer http = new ArchiveHttpServer(PinotFixtures.directory())) {
      Thread thread = Thread.currentThread();
      ClassLoader previous = thread.getContextClassLoader();
      thread.setContextClassLoader(loader);
      try {
        Class<?> factory =
            loader.loadClass("org.apache.pinot.common.utils.fetcher.SegmentFetcherFactory");
        Class<?> configClass = loader.loadClass("org.apache.pinot.spi.env.PinotConfiguration");
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("protocols", "file,http");
        keys.put("file.class", "io.segmenttransfer.pinotfetcher.SegmentTransferFetcher");
        keys.put("http.class", "io.segmenttransfer.pinotfetcher.SegmentTransferFetcher");
        Object config = configClass.getConstructor(Map.class).newInstance(keys);
        factory.getMethod("init", configClass).invoke(null, config);
        Method fetch =
            factory.getMethod(
                "fetchAndStreamUntarToLocal",
                String.class,
                File.class,
                long.class,
                AtomicInteger.class);
        try {
          for (PinotFixtures.Archive fixture : PinotFixtures.archives()) {
            URI source =
                fixture.format().equals("tar.zst")
                    ? http.uri(http.port(), fixture.file().getFileName().toString())
                    : fixture.file().toUri();
            File dest = dir.resolve("tmp-" + fixture).toFile();
            AtomicInteger attempts = new AtomicInteger(-1);
            File segment = (File) fetch.invoke(null, source.toString(), dest, -1L, attempts);
            PinotFactory.assertSegment(segment.toPath(), fixture);
            assertThat(attempts).hasValue(0);
          }
        } finally {
          for (String protocol : List.of("file", "http")) {
            Object fetcher =
                factory.getMethod("getSegmentFetcher", String.class).invoke(null, protocol);
            assertThat(fetcher.getClass().getClassLoader()).isSameAs(loader);
            fetcher.getClass().getMethod("close").invoke(fetcher);
          }
        }
      } finally {
        thread.setContextClassLoader(previous);
      }
    }
  }

  private static void assertFrom(String className, Path expected) throws Exception {
    assertThat(location(className)).as(className).isEqualTo(expected.toRealPath());
  }

  private static void assertNotFrom(String className, Path notExpected) throws Exception {
    assertThat(location(className)).as(className).isNotEqualTo(notExpected.toRealPath());
  }

  private static Path location(String className) throws Exception {
    Class<?> type = loader.loadClass(className);
    assertThat(type.getClassLoader()).as(className + "'s loader").isSameAs(loader);
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toRealPath();
  }

  private static boolean isOurs(Path path) {
    // This project's modules resolve from the reactor as target/*.jar or target/classes.
    String normalized = path.toString().replace('\\', '/');
    return normalized.contains("/io/segmenttransfer/")
        || normalized.contains("/target/")
        || Files.isDirectory(path);
  }
}
