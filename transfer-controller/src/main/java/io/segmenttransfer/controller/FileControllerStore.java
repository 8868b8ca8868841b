package io.segmenttransfer.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segmenttransfer.controller.api.SegmentState;
import io.segmenttransfer.controller.api.TableConfig;
import io.segmenttransfer.core.cluster.InstanceInfo;
import io.segmenttransfer.core.error.SegmentWriteException;
import io.segmenttransfer.core.segment.SafeName;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadataJson;
import io.segmenttransfer.core.segment.TableNameWithType;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A {@link ControllerStore} on local disk: {@code tables/<tableNameWithType>.json}, {@code
 * segments/<tableNameWithType>/<segment>.json}, {@code instances/<id>.json} and {@code
 * schemas/<schemaName>.json} under one directory. Every document is replaced atomically (temporary
 * sibling, {@code force}, atomic rename, then the directory is forced so the rename itself survives
 * a power cut), so a crash leaves each document either old or new, never torn. All I/O runs on the
 * given blocking-capable scheduler.
 */
public final class FileControllerStore implements ControllerStore {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SUFFIX = ".json";
  private static final String TEMP_SUFFIX = ".tmp";

  private final Path root;
  private final Path tables;
  private final Path segments;
  private final Path instances;
  private final Path schemas;
  private final Scheduler scheduler;

  public FileControllerStore(Path directory, Scheduler scheduler) {
    this.root = directory.toAbsolutePath().normalize();
    this.tables = root.resolve("tables");
    this.segments = root.resolve("segments");
    this.instances = root.resolve("instances");
    this.schemas = root.resolve("schemas");
    this.scheduler = scheduler;
  }

  /**
   * Fails the start, not the first change, when the state cannot be written: creates the directory
   * and writes, forces and deletes a probe file in it.
   */
  private void checkWritable() {
    try {
      Files.createDirectories(root);
      Path probe = root.resolve(".write-check-" + UUID.randomUUID() + TEMP_SUFFIX);
      try (FileChannel channel =
          FileChannel.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        channel.write(ByteBuffer.wrap(new byte[] {'\n'}));
        channel.force(true);
      } finally {
        Files.deleteIfExists(probe);
      }
    } catch (IOException e) {
      String reason =
          e instanceof java.nio.file.AccessDeniedException
              ? "permission denied"
              : e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null
                  ? fs.getReason()
                  : String.valueOf(e.getMessage());
      throw new SegmentWriteException(
          null,
          "cannot write the controller's state directory "
              + root
              + " ("
              + reason
              + "): give --data-dir a directory this user can write",
          e);
    }
  }

  @Override
  public Mono<Snapshot> load() {
    return Mono.fromCallable(
            () -> {
              checkWritable();
              List<TableDocument> tableDocs = new ArrayList<>();
              for (Path file : documents(tables)) {
                tableDocs.add(readTable(read(file)));
              }
              List<SegmentDocument> segmentDocs = new ArrayList<>();
              if (Files.isDirectory(segments)) {
                try (Stream<Path> dirs = Files.list(segments)) {
                  for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                    for (Path file : documents(dir)) {
                      segmentDocs.add(readSegment(read(file)));
                    }
                  }
                }
              }
              List<InstanceDocument> instanceDocs = new ArrayList<>();
              for (Path file : documents(instances)) {
                instanceDocs.add(readInstance(read(file)));
              }
              List<SchemaDocument> schemaDocs = new ArrayList<>();
              for (Path file : documents(schemas)) {
                JsonNode node = read(file);
                schemaDocs.add(
                    new SchemaDocument(node.get("name").asText(), (ObjectNode) node.get("schema")));
              }
              return new Snapshot(tableDocs, segmentDocs, instanceDocs, schemaDocs);
            })
        .onErrorMap(
            IOException.class,
            e -> new SegmentWriteException(null, "cannot load controller state: " + e, e))
        .subscribeOn(scheduler);
  }

  @Override
  public Mono<Void> apply(List<Change> changes) {
    return Mono.<Void>fromRunnable(
            () -> {
              try {
                for (Change change : changes) {
                  applyOne(change);
                }
              } catch (IOException e) {
                throw new SegmentWriteException(null, "cannot persist controller state: " + e, e);
              }
            })
        .subscribeOn(scheduler);
  }

  private void applyOne(Change change) throws IOException {
    // Java 17: no pattern matching in switch yet, hence the instanceof chain over the sealed type.
    if (change instanceof Change.PutTable put) {
      write(tableFile(put.table().config().table()), tableJson(put.table()));
    } else if (change instanceof Change.DeleteTable delete) {
      remove(tableFile(delete.table()));
      Path dir = segments.resolve(delete.table().toString());
      if (Files.isDirectory(dir) && documents(dir).isEmpty()) {
        Files.deleteIfExists(dir);
      }
    } else if (change instanceof Change.PutSegment put) {
      write(segmentFile(put.segment().id()), segmentJson(put.segment()));
    } else if (change instanceof Change.DeleteSegment delete) {
      remove(segmentFile(delete.segment()));
    } else if (change instanceof Change.PutInstance put) {
      write(instanceFile(put.instance().info().id()), instanceJson(put.instance()));
    } else if (change instanceof Change.DeleteInstance delete) {
      remove(instanceFile(delete.instanceId()));
    } else if (change instanceof Change.PutSchema put) {
      ObjectNode node = JSON.createObjectNode();
      node.put("name", put.schema().name());
      node.set("schema", put.schema().schema());
      write(schemaFile(put.schema().name()), node);
    } else if (change instanceof Change.DeleteSchema delete) {
      remove(schemaFile(delete.name()));
    }
  }

  private Path tableFile(TableNameWithType table) {
    return tables.resolve(table + SUFFIX);
  }

  private Path segmentFile(SegmentId segment) {
    return segments.resolve(segment.table().toString()).resolve(segment.segmentName() + SUFFIX);
  }

  private Path schemaFile(String name) {
    // Schema names are checked by the routes, but this is still a file name: the same rule again.
    return schemas.resolve(SafeName.check("schema name", name) + SUFFIX);
  }

  private Path instanceFile(String id) {
    // Instance ids come from validated host names and ports, but the id is still a file name here.
    return instances.resolve(SafeName.check("instance id", id) + SUFFIX);
  }

  // ---- documents ----

  private static ObjectNode tableJson(TableDocument doc) {
    ObjectNode node = JSON.createObjectNode();
    node.set("config", doc.config().json());
    node.put("changedTimeMs", doc.changedTimeMs());
    ObjectNode ideal = node.putObject("idealState");
    doc.idealState().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              var list = ideal.putArray(e.getKey());
              e.getValue().forEach(list::add);
            });
    return node;
  }

  private static TableDocument readTable(JsonNode node) {
    TableConfig config = TableConfig.parse(node.get("config"));
    Map<String, List<String>> ideal = new LinkedHashMap<>();
    node.path("idealState")
        .properties()
        .forEach(
            e -> {
              List<String> holders = new ArrayList<>();
              e.getValue().forEach(v -> holders.add(v.asText()));
              ideal.put(e.getKey(), holders);
            });
    return new TableDocument(config, ideal, node.path("changedTimeMs").asLong(0));
  }

  private static ObjectNode segmentJson(SegmentDocument doc) {
    ObjectNode node = JSON.createObjectNode();
    node.set("metadata", SegmentMetadataJson.toJson(doc.metadata(), true));
    if (doc.archive() != null) {
      node.put("archive", doc.archive().toString());
    }
    return node;
  }

  private static SegmentDocument readSegment(JsonNode node) {
    JsonNode archive = node.get("archive");
    return new SegmentDocument(
        SegmentMetadataJson.parse(node.get("metadata").toString()),
        archive == null || archive.isNull() ? null : URI.create(archive.asText()));
  }

  private static ObjectNode instanceJson(InstanceDocument doc) {
    ObjectNode node = JSON.createObjectNode();
    InstanceInfo info = doc.info();
    ObjectNode instance = node.putObject("instance");
    instance.put("id", info.id());
    instance.put("host", info.host());
    instance.put("port", info.port());
    instance.put("adminPort", info.adminPort());
    if (info.servesHttps()) {
      instance.put("adminHttpsPort", info.adminHttpsPort());
    }
    instance.put("type", info.type());
    instance.put("enabled", info.enabled());
    node.put("assignmentVersion", doc.assignmentVersion());
    ObjectNode states = node.putObject("states");
    doc.states().entrySet().stream()
        .sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(SegmentId::toString)))
        .forEach(
            e -> {
              String table = e.getKey().table().toString();
              ObjectNode perTable =
                  states.has(table) ? (ObjectNode) states.get(table) : states.putObject(table);
              perTable.put(e.getKey().segmentName(), e.getValue().name());
            });
    return node;
  }

  private static InstanceDocument readInstance(JsonNode node) {
    JsonNode i = node.get("instance");
    InstanceInfo info =
        new InstanceInfo(
            i.get("id").asText(),
            i.get("host").asText(),
            i.get("port").asInt(),
            i.get("adminPort").asInt(),
            i.get("type").asText(),
            i.get("enabled").asBoolean(true),
            i.path("adminHttpsPort").asInt(-1));
    Map<SegmentId, SegmentState> states = new LinkedHashMap<>();
    node.path("states")
        .properties()
        .forEach(
            table ->
                table
                    .getValue()
                    .properties()
                    .forEach(
                        s ->
                            states.put(
                                SegmentId.of(table.getKey(), s.getKey()),
                                SegmentState.parse(s.getValue().asText()))));
    return new InstanceDocument(info, node.path("assignmentVersion").asLong(0), states);
  }

  // ---- files ----

  /** The documents of a directory, sorted; leftovers of interrupted writes are removed. */
  private static List<Path> documents(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path file : stream) {
        String name = file.getFileName().toString();
        if (name.endsWith(TEMP_SUFFIX)) {
          Files.deleteIfExists(
              file); // a write that never reached its rename: the old document stands
        } else if (name.endsWith(SUFFIX) && Files.isRegularFile(file)) {
          files.add(file);
        }
      }
    }
    files.sort(null);
    return files;
  }

  private static JsonNode read(Path file) throws IOException {
    try {
      return JSON.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new IOException("unreadable controller document " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new IOException("invalid controller document " + file + ": " + e.getMessage(), e);
    }
  }

  private static void write(Path target, JsonNode document) throws IOException {
    Path dir = target.getParent();
    Files.createDirectories(dir);
    Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + TEMP_SUFFIX);
    byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(document);
    try (FileChannel channel =
        FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    } catch (IOException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    forceDirectory(dir);
  }

  private static void remove(Path target) throws IOException {
    if (Files.deleteIfExists(target)) {
      forceDirectory(target.getParent());
    }
  }

  private static void forceDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
