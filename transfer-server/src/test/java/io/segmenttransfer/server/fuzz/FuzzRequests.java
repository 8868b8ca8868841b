package io.segmenttransfer.server.fuzz;

import io.segmenttransfer.core.archive.Codec;
import io.segmenttransfer.core.testing.HostileNames;
import io.segmenttransfer.core.testing.PinotFixtures;
import io.segmenttransfer.core.testing.TestArchives;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generators of hostile requests for a surface, from its route templates ({@code "GET
 * /segments/{table}/{segment}"}): real routes with valid, hostile and random names, random targets,
 * odd methods, random and oversized headers, Range headers valid and not, JSON bodies random and
 * broken, multipart bodies (a real archive, truncated, under a wrong boundary, with a huge part,
 * with an archive nested in the archive, with many parts), random bytes, and bodies shorter than
 * their declared length.
 */
final class FuzzRequests {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)}");

  /** Above the fuzzed listeners' part and JSON limits (see the properties). */
  static final int HUGE = 256 * 1024;

  private static final byte[] ARCHIVE = PinotFixtures.bytes(PinotFixtures.archives().get(0));
  private static final byte[] NESTED = nestedArchive();

  private FuzzRequests() {}

  /** Requests against {@code routes}; {@code valid} gives a real value for each placeholder. */
  static Arbitrary<FuzzRequest> against(List<String> routes, Map<String, String> valid) {
    Arbitrary<String[]> methodAndTarget =
        Arbitraries.frequencyOf(
            Tuple.of(8, routed(routes, valid)),
            Tuple.of(
                1,
                Combinators.combine(method(), randomTarget()).as((m, t) -> new String[] {m, t})));
    Arbitrary<String> badLength = Arbitraries.of("-1", "abc", "99999999999999999999", "1, 2");
    return Combinators.combine(
            methodAndTarget, headers(), body(), Arbitraries.integers().between(0, 9), badLength)
        .as(
            (mt, headers, body, lengthMode, bad) -> {
              List<String> all = new ArrayList<>(headers);
              boolean truncated = false;
              byte[] bytes = body.bytes();
              if (lengthMode == 0 && bytes.length > 1) {
                // Declared longer than sent: the client half-closes mid-body.
                all.add("Content-Length: " + (bytes.length * 2L + 10));
                truncated = true;
              } else if (lengthMode == 1) {
                all.add("Content-Length: " + bad);
              } else if (lengthMode == 2 && bytes.length > 0) {
                all.add("Transfer-Encoding: chunked");
                bytes = chunked(bytes);
              } else {
                all.add("Content-Length: " + bytes.length);
              }
              if (body.contentType() != null) {
                all.add("Content-Type: " + body.contentType());
              }
              all.add("Connection: close");
              return new FuzzRequest(mt[0], mt[1], all, bytes, truncated);
            });
  }

  private record Body(String contentType, byte[] bytes) {}

  private static Arbitrary<String[]> routed(List<String> routes, Map<String, String> valid) {
    return Combinators.combine(
            Arbitraries.of(routes),
            name(valid).list().ofSize(4),
            query(),
            Arbitraries.integers().between(0, 19),
            Arbitraries.of("PATCH", "OPTIONS", "get", "TRACE"))
        .as(
            (route, names, query, methodMode, odd) -> {
              int space = route.indexOf(' ');
              String method = methodMode == 0 ? odd : route.substring(0, space);
              String target = route.substring(space + 1);
              Matcher m = PLACEHOLDER.matcher(target);
              StringBuilder out = new StringBuilder();
              int i = 0;
              while (m.find()) {
                String value = names.get(i++ % names.size());
                m.appendReplacement(
                    out, Matcher.quoteReplacement(value == null ? valid.get(m.group(1)) : value));
              }
              m.appendTail(out);
              String path = out.toString();
              return new String[] {method, path + (path.contains("?") ? "&" : "?") + query};
            });
  }

  /** A name: null means the valid one for its placeholder. */
  private static Arbitrary<String> name(Map<String, String> valid) {
    return Arbitraries.frequencyOf(
        Tuple.of(5, Arbitraries.just((String) null)),
        Tuple.of(3, Arbitraries.of(HostileNames.IN_URL)),
        Tuple.of(1, Arbitraries.of(valid.values())),
        Tuple.of(
            2,
            Arbitraries.strings()
                .withCharRange('!', '~')
                .ofMinLength(1)
                .ofMaxLength(40)
                .map(
                    s ->
                        s.replace("/", "%2F")
                            .replace("?", "%3F")
                            .replace("#", "%23")
                            .replace(" ", "%20"))),
        Tuple.of(
            1,
            Arbitraries.strings()
                .withChars("%0123456789abcdefABCDEFxyz.")
                .ofMinLength(1)
                .ofMaxLength(12)));
  }

  private static Arbitrary<String> query() {
    Arbitrary<String> key =
        Arbitraries.of(
            "tableName",
            "tableType",
            "type",
            "name",
            "instance",
            "offset",
            "timeoutMs",
            "sinceVersion",
            "uploadTimeoutMs",
            "codec",
            "format",
            "force",
            "wait",
            "downloadUrl",
            "streamPartitionMsgOffset",
            "extraTimeSec",
            "location",
            "processor",
            "taskname",
            "x");
    Arbitrary<String> value =
        Arbitraries.oneOf(
            Arbitraries.of(
                "events",
                "events_OFFLINE",
                "-1",
                "0",
                "1",
                "99999999999999999999",
                "true",
                "gzip",
                "zstd",
                "text",
                "file:///etc/passwd",
                ""),
            Arbitraries.of(HostileNames.IN_URL),
            Arbitraries.strings().withCharRange('0', 'z').ofMaxLength(20));
    return Combinators.combine(key, value)
        .as((k, v) -> k + "=" + v)
        .list()
        .ofMaxSize(4)
        .map(l -> String.join("&", l));
  }

  private static Arbitrary<String> method() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "CONNECT"),
        Arbitraries.strings().withCharRange('A', 'Z').ofMinLength(1).ofMaxLength(12),
        Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(8));
  }

  private static Arbitrary<String> randomTarget() {
    return Arbitraries.oneOf(
        Arbitraries.strings()
            .withCharRange('!', '~')
            .ofMinLength(1)
            .ofMaxLength(200)
            .map(s -> "/" + s),
        Arbitraries.of("*", "http://127.0.0.1/segments", "/", "//", "/..", "/%", "/%zz", "/a b"),
        Arbitraries.integers().between(9_000, 20_000).map(n -> "/" + "a".repeat(n)));
  }

  private static Arbitrary<List<String>> headers() {
    Arbitrary<String> header =
        Arbitraries.frequencyOf(
            Tuple.of(4, range()),
            Tuple.of(
                1,
                Arbitraries.of(
                    "If-Match: \"x\"",
                    "If-Match: *",
                    "Expect: 100-continue",
                    "Accept-Encoding: gzip",
                    "Content-Encoding: gzip",
                    "Upgrade: h2c",
                    "Connection: Upgrade")),
            Tuple.of(
                2,
                Combinators.combine(
                        Arbitraries.strings()
                            .withCharRange('A', 'z')
                            .ofMinLength(1)
                            .ofMaxLength(20),
                        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(100))
                    .as((k, v) -> "X-" + k.replaceAll("[^A-Za-z0-9-]", "") + ": " + v)),
            Tuple.of(
                1,
                Arbitraries.integers().between(17_000, 40_000).map(n -> "X-Big: " + "b".repeat(n))),
            Tuple.of(
                1,
                Arbitraries.of("NoColonHere", ": empty name", "Bad Name: x", "X-Ctl: a\u0001b")));
    return header
        .list()
        .ofMaxSize(4)
        .map(
            list -> {
              List<String> all = new ArrayList<>();
              all.add("Host: 127.0.0.1");
              all.addAll(list);
              return all;
            });
  }

  private static Arbitrary<String> range() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "Range: bytes=0-10",
            "Range: bytes=-5",
            "Range: bytes=10-",
            "Range: bytes=5-1",
            "Range: bytes=abc",
            "Range: bytes=0-1,2-3",
            "Range: items=0-1",
            "Range: bytes=",
            "Range: bytes=99999999999999999999-",
            "Range: bytes=-0",
            "Range: bytes= 0 - 1 ",
            "Range: bytes=9223372036854775807-"),
        Combinators.combine(
                Arbitraries.longs().between(-10, 10_000_000),
                Arbitraries.longs().between(-10, 10_000_000))
            .as((a, b) -> "Range: bytes=" + a + "-" + b));
  }

  private static Arbitrary<Body> body() {
    return Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.just(new Body(null, new byte[0]))),
        Tuple.of(3, json().map(j -> new Body("application/json", utf8(j)))),
        Tuple.of(
            1, json().map(j -> new Body("application/json", utf8(j.substring(0, j.length() / 2))))),
        Tuple.of(
            1,
            Arbitraries.integers()
                .between(HUGE, 2 * HUGE)
                .map(
                    n ->
                        new Body("application/json", utf8("{\"pad\":\"" + "p".repeat(n) + "\"}")))),
        Tuple.of(4, multipart()),
        Tuple.of(
            1,
            Arbitraries.bytes()
                .array(byte[].class)
                .ofMaxSize(2000)
                .map(b -> new Body("application/octet-stream", b))),
        Tuple.of(
            1, Arbitraries.of(ARCHIVE, NESTED).map(b -> new Body("application/octet-stream", b))));
  }

  private static Arbitrary<String> json() {
    Arbitrary<String> scalar =
        Arbitraries.oneOf(
            Arbitraries.strings()
                .withCharRange(' ', '~')
                .ofMaxLength(20)
                .map(s -> "\"" + s.replace("\\", "").replace("\"", "") + "\""),
            Arbitraries.integers().map(String::valueOf),
            Arbitraries.of("null", "true", "false", "1e999", "-0", "\"../../x\"", "\"\\u0000\""));
    Arbitrary<String> key =
        Arbitraries.of(
            "tableName",
            "tableType",
            "schemaName",
            "segmentsConfig",
            "replication",
            "segment.crc",
            "segment.download.url",
            "host",
            "port",
            "adminPort",
            "type",
            "segmentDir",
            "state",
            "instanceId",
            "dimensionFieldSpecs",
            "x");
    Arbitrary<String> object =
        Combinators.combine(key, scalar)
            .as((k, v) -> "\"" + k + "\":" + v)
            .list()
            .ofMaxSize(6)
            .map(l -> "{" + String.join(",", l) + "}");
    return Arbitraries.oneOf(
        object,
        object.list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]"),
        scalar,
        Arbitraries.just("{\"a\":".repeat(200)));
  }

  private static Arbitrary<Body> multipart() {
    Arbitrary<String> boundary =
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(30);
    Arbitrary<byte[]> file = Arbitraries.of(ARCHIVE, NESTED, new byte[0], utf8("not an archive"));
    return Combinators.combine(
            boundary,
            file,
            Arbitraries.integers().between(0, 6),
            Arbitraries.integers().between(0, 20))
        .as(
            (b, content, mode, fields) -> {
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              String used =
                  mode == 1 ? b + "x" : b; // mode 1: the body's boundary is not the header's
              int parts = mode == 2 ? fields : 1;
              for (int i = 0; i < parts; i++) {
                out.writeBytes(
                    utf8(
                        "--"
                            + used
                            + "\r\nContent-Disposition: form-data; name=\"f"
                            + i
                            + "\"\r\n\r\nv\r\n"));
              }
              if (mode == 3) {
                out.writeBytes(
                    utf8(
                        "--"
                            + used
                            + "\r\nContent-Disposition: form-data; name=\"huge\"\r\n\r\n"
                            + "h".repeat(HUGE)
                            + "\r\n"));
              }
              if (mode == 6) {
                for (String name : new String[] {"metadata.properties", "creation.meta"}) {
                  out.writeBytes(
                      utf8(
                          "--"
                              + used
                              + "\r\nContent-Disposition: form-data; name=\""
                              + name
                              + "\"; filename=\""
                              + name
                              + "\"\r\n\r\n"));
                  out.writeBytes(
                      name.equals("creation.meta")
                          ? new byte[] {0, 0, 0, 1, 2}
                          : utf8("segment.name=x\nsegment.total.docs=1\n"));
                  out.writeBytes(utf8("\r\n"));
                }
              }
              out.writeBytes(
                  utf8(
                      "--"
                          + used
                          + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.tar.gz\"\r\n\r\n"));
              out.writeBytes(content);
              out.writeBytes(utf8("\r\n--" + used + "--\r\n"));
              byte[] all = out.toByteArray();
              if (mode == 4) {
                all =
                    java.util.Arrays.copyOf(all, all.length / 2); // truncated, no closing boundary
              }
              String type =
                  mode == 5 ? "multipart/form-data" : "multipart/form-data; boundary=" + b;
              return new Body(type, all);
            });
  }

  private static byte[] chunked(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int chunk = 1 + (body.length / 3);
    for (int i = 0; i < body.length; i += chunk) {
      int n = Math.min(chunk, body.length - i);
      out.writeBytes(utf8(Integer.toHexString(n) + "\r\n"));
      out.write(body, i, n);
      out.writeBytes(utf8("\r\n"));
    }
    out.writeBytes(utf8("0\r\n\r\n"));
    return out.toByteArray();
  }

  private static byte[] nestedArchive() {
    byte[] inner = ARCHIVE;
    return TestArchives.archive(
        Codec.GZIP,
        "nested",
        TestArchives.segmentFiles(
            Map.of(
                "v3/inner.tar.gz",
                inner,
                "v3/metadata.properties",
                utf8("segment.name=nested\nsegment.total.docs=1\n"))));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
