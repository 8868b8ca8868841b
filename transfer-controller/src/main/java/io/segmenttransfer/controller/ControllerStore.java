package io.segmenttransfer.controller;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segmenttransfer.controller.api.SegmentState;
import io.segmenttransfer.controller.api.TableConfig;
import io.segmenttransfer.core.cluster.InstanceInfo;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import java.net.URI;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * Where the controller's state survives restarts: one document per table (config and ideal state),
 * per schema, per segment (metadata and deep-store location) and per instance (registration,
 * assignment version and reported states). The controller keeps everything in memory and calls
 * {@link #apply} before it acknowledges a change, so an acknowledged change is never lost; a
 * ZooKeeper-backed store can implement the same contract.
 */
public interface ControllerStore {

  /**
   * A table's config and ideal state.
   *
   * @param idealState segment name to the instances assigned to it, in assignment order
   * @param changedTimeMs when the table's config hash (config and schema) last changed after the
   *     table was created, epoch ms; 0 when it never did
   */
  record TableDocument(
      TableConfig config, Map<String, List<String>> idealState, long changedTimeMs) {
    public TableDocument {
      idealState = Map.copyOf(idealState);
    }
  }

  /** A Pinot schema, kept as posted, under its {@code schemaName}. */
  record SchemaDocument(String name, ObjectNode schema) {
    public SchemaDocument {
      schema = schema.deepCopy();
    }
  }

  /**
   * A segment's metadata record and where its archive is in the deep store.
   *
   * @param archive the deep-store object, or null when the controller has no copy (metadata put
   *     without an upload)
   */
  record SegmentDocument(SegmentMetadata metadata, URI archive) {
    public SegmentId id() {
      return metadata.segment();
    }
  }

  /**
   * An instance's registration, the version of its assignment and the states it reported.
   *
   * @param states the external-view entries this instance reported
   */
  record InstanceDocument(
      InstanceInfo info, long assignmentVersion, Map<SegmentId, SegmentState> states) {
    public InstanceDocument {
      states = Map.copyOf(states);
    }
  }

  /** Everything stored, as {@link #load} finds it. */
  record Snapshot(
      List<TableDocument> tables,
      List<SegmentDocument> segments,
      List<InstanceDocument> instances,
      List<SchemaDocument> schemas) {
    public Snapshot {
      tables = List.copyOf(tables);
      segments = List.copyOf(segments);
      instances = List.copyOf(instances);
      schemas = List.copyOf(schemas);
    }
  }

  /** One document written or removed. */
  sealed interface Change {
    record PutTable(TableDocument table) implements Change {}

    record DeleteTable(TableNameWithType table) implements Change {}

    record PutSegment(SegmentDocument segment) implements Change {}

    record DeleteSegment(SegmentId segment) implements Change {}

    record PutInstance(InstanceDocument instance) implements Change {}

    record DeleteInstance(String instanceId) implements Change {}

    record PutSchema(SchemaDocument schema) implements Change {}

    record DeleteSchema(String name) implements Change {}
  }

  /**
   * Reads every stored document. Completes with the snapshot (empty on a new store); fails when a
   * document cannot be read, rather than starting without it.
   */
  Mono<Snapshot> load();

  /**
   * Makes the changes durable, in order. Completes once every change would survive a crash; on
   * error some changes may be durable and others not, each document being either old or new.
   * Callers never run two {@code apply} calls at once.
   */
  Mono<Void> apply(List<Change> changes);
}
