package io.segmenttransfer.controller;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segmenttransfer.controller.ControllerStore.Change;
import io.segmenttransfer.controller.ControllerStore.InstanceDocument;
import io.segmenttransfer.controller.ControllerStore.SchemaDocument;
import io.segmenttransfer.controller.ControllerStore.SegmentDocument;
import io.segmenttransfer.controller.ControllerStore.TableDocument;
import io.segmenttransfer.controller.api.Assignment;
import io.segmenttransfer.controller.api.SegmentState;
import io.segmenttransfer.controller.api.TableConfig;
import io.segmenttransfer.core.cluster.InstanceInfo;
import io.segmenttransfer.core.error.EntityNotFoundException;
import io.segmenttransfer.core.error.ShuttingDownException;
import io.segmenttransfer.core.segment.RealtimeStatus;
import io.segmenttransfer.core.segment.SegmentId;
import io.segmenttransfer.core.segment.SegmentMetadata;
import io.segmenttransfer.core.segment.TableNameWithType;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;

/**
 * The controller's state: tables, segments, ideal states, instances and the states they report.
 *
 * <p>Reads come from immutable records in concurrent maps, from any thread, without locks. Changes
 * are serialised through one queue: each runs against a {@link Draft} of the current state, the
 * assignment is replanned where it may have moved, the resulting documents are made durable by the
 * {@link ControllerStore}, and only then are the new records installed and the affected servers
 * woken. So a reader never sees a change that a crash could still lose, and two changes never
 * interleave.
 *
 * <p>Public only for the controller's own sub-packages ({@code completion}); not an API.
 */
public final class ControllerState {

  private static final Logger LOG = LoggerFactory.getLogger(ControllerState.class);

  /**
   * A table: config, segments by name, the ideal state (segment to assigned instances), and when
   * its config hash last changed after creation (epoch ms, 0 when never).
   */
  public record TableState(
      TableConfig config,
      Map<String, SegmentDocument> segments,
      Map<String, List<String>> idealState,
      long changedTimeMs) {
    public TableState {
      segments = Collections.unmodifiableMap(new TreeMap<>(segments));
      idealState = Collections.unmodifiableMap(new TreeMap<>(idealState));
    }

    TableState withSegments(Map<String, SegmentDocument> newSegments) {
      return new TableState(config, newSegments, idealState, changedTimeMs);
    }

    TableState withIdealState(Map<String, List<String>> newIdealState) {
      return new TableState(config, segments, newIdealState, changedTimeMs);
    }
  }

  private final ControllerStore store;
  private final Map<TableNameWithType, TableState> tables = new ConcurrentHashMap<>();
  private final Map<String, InstanceDocument> instances = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> schemas = new ConcurrentHashMap<>();
  private final Map<String, Sinks.Many<Long>> versions = new ConcurrentHashMap<>();
  private final Sinks.Many<Mono<Void>> queue = Sinks.many().unicast().onBackpressureBuffer();
  private final reactor.core.Disposable worker;

  /**
   * Callers of changes queued or running: answered 503 if the controller stops before their turn.
   */
  private final Set<MonoSink<?>> waiting = ConcurrentHashMap.newKeySet();

  private volatile boolean closed;

  private ControllerState(ControllerStore store) {
    this.store = store;
    // One change at a time, in arrival order; a failed change fails its caller only.
    this.worker =
        queue.asFlux().concatMap(change -> change.onErrorResume(e -> Mono.empty()), 1).subscribe();
  }

  /**
   * Loads the stored state and reconciles the assignment with it; completes with the ready state.
   */
  static Mono<ControllerState> load(ControllerStore store) {
    return store
        .load()
        .flatMap(
            snapshot -> {
              ControllerState state = new ControllerState(store);
              state.install(snapshot);
              // Reconcile: an ideal state written before a crash may miss segments written just
              // before it.
              return state
                  .mutate(
                      draft -> {
                        draft.replanAll();
                        return null;
                      })
                  .thenReturn(state);
            });
  }

  private void install(ControllerStore.Snapshot snapshot) {
    Map<TableNameWithType, Map<String, SegmentDocument>> segments = new HashMap<>();
    for (SegmentDocument doc : snapshot.segments()) {
      segments
          .computeIfAbsent(doc.id().table(), t -> new TreeMap<>())
          .put(doc.id().segmentName(), doc);
    }
    for (TableDocument doc : snapshot.tables()) {
      TableNameWithType table = doc.config().table();
      tables.put(
          table,
          new TableState(
              doc.config(),
              segments.getOrDefault(table, Map.of()),
              doc.idealState(),
              doc.changedTimeMs()));
    }
    for (SchemaDocument doc : snapshot.schemas()) {
      schemas.put(doc.name(), doc.schema());
    }
    for (InstanceDocument doc : snapshot.instances()) {
      instances.put(doc.info().id(), doc);
      sink(doc.info().id()).tryEmitNext(doc.assignmentVersion());
    }
  }

  void close() {
    synchronized (queue) {
      closed = true;
    }
    // Taken before the worker goes: cancelling the change in flight takes its caller off the list.
    List<MonoSink<?>> unanswered = List.copyOf(waiting);
    worker.dispose();
    unanswered.forEach(caller -> caller.error(shuttingDown()));
    versions.values().forEach(Sinks.Many::tryEmitComplete);
  }

  private static ShuttingDownException shuttingDown() {
    return new ShuttingDownException("controller is shutting down");
  }

  // ---------------------------------------------------------------- reads

  public TableState table(TableNameWithType table) {
    TableState state = tables.get(table);
    if (state == null) {
      throw new EntityNotFoundException(null, "Table " + table + " does not exist");
    }
    return state;
  }

  public boolean hasTable(TableNameWithType table) {
    return tables.containsKey(table);
  }

  public List<TableNameWithType> tableNames() {
    return List.copyOf(tables.keySet());
  }

  public SegmentDocument segment(SegmentId segment) {
    SegmentDocument doc = table(segment.table()).segments().get(segment.segmentName());
    if (doc == null) {
      throw new EntityNotFoundException(
          null,
          "Segment " + segment.segmentName() + " of table " + segment.table() + " does not exist");
    }
    return doc;
  }

  /** A schema by name, as posted; empty when there is none. */
  public java.util.Optional<ObjectNode> schema(String name) {
    return java.util.Optional.ofNullable(schemas.get(name));
  }

  List<String> schemaNames() {
    return new ArrayList<>(new TreeSet<>(schemas.keySet()));
  }

  /** The table's current config hash ({@link TableConfigHash}): its config and its schema. */
  public String tableHash(TableNameWithType table) {
    TableConfig config = table(table).config();
    return TableConfigHash.of(config, schemas.get(TableConfigHash.schemaName(config)));
  }

  InstanceDocument instance(String id) {
    InstanceDocument doc = instances.get(id);
    if (doc == null) {
      throw new EntityNotFoundException(null, "Instance " + id + " not found");
    }
    return doc;
  }

  /** An instance's registration, if it is registered. */
  public java.util.Optional<InstanceInfo> instanceInfo(String id) {
    InstanceDocument doc = instances.get(id);
    return doc == null ? java.util.Optional.empty() : java.util.Optional.of(doc.info());
  }

  List<String> instanceIds() {
    return new ArrayList<>(new TreeSet<>(instances.keySet()));
  }

  /**
   * Segment to instance to state, from what instances reported; null when none reported anything.
   */
  Map<String, Map<String, String>> externalView(TableNameWithType table) {
    Map<String, Map<String, String>> view = new TreeMap<>();
    for (InstanceDocument doc : instances.values()) {
      doc.states()
          .forEach(
              (segment, state) -> {
                if (segment.table().equals(table)) {
                  view.computeIfAbsent(segment.segmentName(), s -> new TreeMap<>())
                      .put(doc.info().id(), state.name());
                }
              });
    }
    return view.isEmpty() ? null : view;
  }

  /** Segment to instance to ONLINE for every assignment; null when the table does not exist. */
  Map<String, Map<String, String>> idealState(TableNameWithType table) {
    TableState state = tables.get(table);
    if (state == null) {
      return null;
    }
    Map<String, Map<String, String>> view = new TreeMap<>();
    state
        .idealState()
        .forEach(
            (segment, holders) -> {
              Map<String, String> m = new TreeMap<>();
              holders.forEach(h -> m.put(h, SegmentState.ONLINE.name()));
              view.put(segment, m);
            });
    return view;
  }

  /** The instance's current assignment. */
  Assignment assignment(String instanceId) {
    long version = instance(instanceId).assignmentVersion();
    List<SegmentMetadata> assigned = new ArrayList<>();
    Map<TableNameWithType, TableState> sorted =
        new TreeMap<>(Comparator.comparing(TableNameWithType::toString));
    sorted.putAll(tables);
    sorted.forEach(
        (table, state) ->
            state
                .idealState()
                .forEach(
                    (segment, holders) -> {
                      SegmentDocument doc = state.segments().get(segment);
                      if (doc != null && holders.contains(instanceId)) {
                        assigned.add(doc.metadata());
                      }
                    }));
    return new Assignment(version, assigned);
  }

  /**
   * The instance's assignment as soon as its version differs from {@code sinceVersion}, or after
   * {@code timeout} unchanged. No thread waits: the request subscribes to the instance's version
   * sink and a timer. Fails with 404 when the instance is unknown or is removed meanwhile.
   */
  Mono<Assignment> awaitAssignment(String instanceId, long sinceVersion, Duration timeout) {
    return Mono.defer(
        () -> {
          instance(instanceId);
          Sinks.Many<Long> sink = versions.get(instanceId);
          return sink.asFlux()
              .filter(version -> version != sinceVersion)
              .next()
              .timeout(timeout, Mono.just(sinceVersion))
              .map(version -> assignment(instanceId))
              // The sink completes when the instance is dropped or the controller stops.
              .switchIfEmpty(
                  Mono.error(
                      () ->
                          closed
                              ? shuttingDown()
                              : new EntityNotFoundException(
                                  null, "Instance " + instanceId + " not found")));
        });
  }

  private Sinks.Many<Long> sink(String instanceId) {
    return versions.computeIfAbsent(instanceId, id -> Sinks.many().replay().latest());
  }

  // ---------------------------------------------------------------- changes

  /**
   * Runs {@code change} against a draft of the state, after every earlier change, then persists and
   * installs the result. Emits the change's result (empty for null); fails with the change's own
   * error (nothing applied) or the store's. Lazy: nothing is queued until subscribed.
   */
  public <T> Mono<T> mutate(Function<Draft, T> change) {
    return Mono.create(
        caller -> {
          Mono<Void> task =
              Mono.defer(
                      () -> {
                        Draft draft = new Draft();
                        T result = change.apply(draft);
                        return commit(draft).then(Mono.fromRunnable(() -> caller.success(result)));
                      })
                  .doOnError(caller::error)
                  .doFinally(signal -> waiting.remove(caller))
                  .then();
          waiting.add(caller);
          // Unicast sinks need serialised emission; several request threads may change state at
          // once.
          Sinks.EmitResult queued;
          synchronized (queue) {
            queued = closed ? Sinks.EmitResult.FAIL_CANCELLED : queue.tryEmitNext(task);
          }
          // A change that can no longer run must say so: once the worker is gone, emitNext would
          // drop it silently and leave its caller (an HTTP request) waiting for ever.
          if (queued.isFailure()) {
            waiting.remove(caller);
            caller.error(shuttingDown());
          }
        });
  }

  private Mono<Void> commit(Draft draft) {
    draft.replan();
    List<Change> changes = draft.changes();
    if (changes.isEmpty()) {
      return Mono.empty();
    }
    return store
        .apply(changes)
        .then(
            Mono.fromRunnable(
                () -> {
                  draft.tables.forEach(
                      (name, table) -> {
                        if (table == null) {
                          tables.remove(name);
                        } else {
                          tables.put(name, table);
                        }
                      });
                  draft.schemas.forEach(
                      (name, schema) -> {
                        if (schema == null) {
                          schemas.remove(name);
                        } else {
                          schemas.put(name, schema);
                        }
                      });
                  draft.instances.forEach(
                      (id, doc) -> {
                        if (doc == null) {
                          instances.remove(id);
                          Sinks.Many<Long> sink = versions.remove(id);
                          if (sink != null) {
                            sink.tryEmitComplete();
                          }
                        } else {
                          instances.put(id, doc);
                        }
                      });
                  draft.instances.forEach(
                      (id, doc) -> {
                        if (doc != null) {
                          sink(id).tryEmitNext(doc.assignmentVersion());
                        }
                      });
                }));
  }

  /**
   * A working copy of the state for one change. It records what it touches, so that commit replans
   * only what may have moved and writes only documents that changed.
   */
  public final class Draft {
    /** Changed tables; a null value deletes the table. */
    private final Map<TableNameWithType, TableState> tables = new LinkedHashMap<>();

    /** Changed instances; a null value deletes the instance. */
    private final Map<String, InstanceDocument> instances = new LinkedHashMap<>();

    /** Changed schemas; a null value deletes the schema. */
    private final Map<String, ObjectNode> schemas = new LinkedHashMap<>();

    private final Set<TableNameWithType> replan = new HashSet<>();
    private final Set<SegmentId> changedSegments = new HashSet<>();
    private final Set<SegmentId> deletedSegments = new HashSet<>();
    private final Set<String> bumped = new HashSet<>();
    private boolean serversChanged;

    public TableState table(TableNameWithType table) {
      TableState state =
          tables.containsKey(table) ? tables.get(table) : ControllerState.this.tables.get(table);
      if (state == null) {
        throw new EntityNotFoundException(null, "Table " + table + " does not exist");
      }
      return state;
    }

    public boolean hasTable(TableNameWithType table) {
      return tables.containsKey(table)
          ? tables.get(table) != null
          : ControllerState.this.tables.containsKey(table);
    }

    InstanceDocument instance(String id) {
      InstanceDocument doc =
          instances.containsKey(id) ? instances.get(id) : ControllerState.this.instances.get(id);
      if (doc == null) {
        throw new EntityNotFoundException(null, "Instance " + id + " not found");
      }
      return doc;
    }

    /** The instance as this change sees it, if registered. */
    java.util.Optional<InstanceDocument> findInstance(String id) {
      return java.util.Optional.ofNullable(
          instances.containsKey(id) ? instances.get(id) : ControllerState.this.instances.get(id));
    }

    private Map<String, InstanceDocument> allInstances() {
      Map<String, InstanceDocument> all = new TreeMap<>(ControllerState.this.instances);
      instances.forEach(
          (id, doc) -> {
            if (doc == null) {
              all.remove(id);
            } else {
              all.put(id, doc);
            }
          });
      return all;
    }

    private Map<TableNameWithType, TableState> allTables() {
      Map<TableNameWithType, TableState> all =
          new TreeMap<>(Comparator.comparing(TableNameWithType::toString));
      all.putAll(ControllerState.this.tables);
      tables.forEach(
          (name, state) -> {
            if (state == null) {
              all.remove(name);
            } else {
              all.put(name, state);
            }
          });
      return all;
    }

    /**
     * Adds a table, or replaces its config keeping its segments; a replaced config that changes the
     * table's hash records {@code nowMs} as the time it changed.
     */
    void putTable(TableConfig config, long nowMs) {
      TableState old = hasTable(config.table()) ? table(config.table()) : null;
      if (old == null) {
        tables.put(config.table(), new TableState(config, Map.of(), Map.of(), 0));
      } else {
        boolean changed = !hash(old.config()).equals(hash(config));
        tables.put(
            config.table(),
            new TableState(
                config, old.segments(), old.idealState(), changed ? nowMs : old.changedTimeMs()));
      }
      replan.add(config.table());
    }

    /** The schema of that name as this change sees it, or null. */
    ObjectNode schema(String name) {
      return schemas.containsKey(name) ? schemas.get(name) : ControllerState.this.schemas.get(name);
    }

    /** The hash {@code config} has with the schemas as this change sees them. */
    String hash(TableConfig config) {
      return TableConfigHash.of(config, schema(TableConfigHash.schemaName(config)));
    }

    /** The tables whose config names the schema {@code name}. */
    List<TableNameWithType> tablesUsing(String name) {
      return allTables().values().stream()
          .filter(t -> TableConfigHash.schemaName(t.config()).equals(name))
          .map(t -> t.config().table())
          .toList();
    }

    /**
     * Adds or replaces a schema (null deletes it); every table using it whose hash changes records
     * {@code nowMs} as the time it changed.
     */
    void putSchema(String name, ObjectNode schema, long nowMs) {
      Map<TableNameWithType, String> before = new HashMap<>();
      List<TableNameWithType> using = tablesUsing(name);
      using.forEach(t -> before.put(t, hash(table(t).config())));
      schemas.put(name, schema);
      for (TableNameWithType t : using) {
        TableState old = table(t);
        if (!before.get(t).equals(hash(old.config()))) {
          tables.put(t, new TableState(old.config(), old.segments(), old.idealState(), nowMs));
        }
      }
    }

    /** Removes a table with its segments; returns the archives that were in the deep store. */
    List<URI> deleteTable(TableNameWithType table) {
      TableState old = table(table);
      List<URI> archives = new ArrayList<>();
      old.segments()
          .values()
          .forEach(
              doc -> {
                deletedSegments.add(doc.id());
                if (doc.archive() != null) {
                  archives.add(doc.archive());
                }
              });
      old.idealState().values().forEach(bumped::addAll);
      tables.put(table, null);
      dropStates(segment -> segment.table().equals(table));
      return archives;
    }

    /** Adds or replaces a segment's document; the table must exist. */
    public void putSegment(SegmentDocument doc) {
      TableState old = table(doc.id().table());
      SegmentDocument previous = old.segments().get(doc.id().segmentName());
      if (previous != null && previous.equals(doc)) {
        return;
      }
      Map<String, SegmentDocument> segments = new TreeMap<>(old.segments());
      segments.put(doc.id().segmentName(), doc);
      tables.put(doc.id().table(), old.withSegments(segments));
      if (previous != null && !previous.metadata().equals(doc.metadata())) {
        changedSegments.add(doc.id());
      }
      deletedSegments.remove(doc.id());
      replan.add(doc.id().table());
    }

    /**
     * Puts {@code instances} first in the segment's ideal state (a committed realtime segment goes
     * to the replicas that built it, so they keep their copies); the replan keeps those that are
     * enabled servers, up to the replication, and tops up the rest as usual.
     */
    public void assign(SegmentId segment, List<String> instances) {
      TableState old = table(segment.table());
      Map<String, List<String>> idealState = new TreeMap<>(old.idealState());
      idealState.put(segment.segmentName(), List.copyOf(new LinkedHashSet<>(instances)));
      tables.put(segment.table(), old.withIdealState(idealState));
      replan.add(segment.table());
    }

    /** Removes a segment; returns its deep-store archive, if the controller had one. */
    URI deleteSegment(SegmentId segment) {
      TableState old = table(segment.table());
      SegmentDocument previous = old.segments().get(segment.segmentName());
      if (previous == null) {
        throw new EntityNotFoundException(
            null,
            "Segment "
                + segment.segmentName()
                + " of table "
                + segment.table()
                + " does not exist");
      }
      Map<String, SegmentDocument> segments = new TreeMap<>(old.segments());
      segments.remove(segment.segmentName());
      tables.put(segment.table(), old.withSegments(segments));
      deletedSegments.add(segment);
      changedSegments.remove(segment);
      replan.add(segment.table());
      dropStates(segment::equals);
      return previous.archive();
    }

    /** Registers or updates an instance; returns true when it was new. */
    boolean putInstance(InstanceInfo info) {
      InstanceDocument old =
          instances.containsKey(info.id())
              ? instances.get(info.id())
              : ControllerState.this.instances.get(info.id());
      if (old != null && old.info().equals(info)) {
        return false;
      }
      instances.put(
          info.id(),
          new InstanceDocument(
              info,
              old == null ? 0 : old.assignmentVersion(),
              old == null ? Map.of() : old.states()));
      serversChanged |= info.isServer() || (old != null && old.info().isServer());
      return old == null;
    }

    void deleteInstance(String id) {
      InstanceDocument old = instance(id);
      instances.put(id, null);
      serversChanged |= old.info().isServer();
    }

    /** Records a state an instance reports, or removes it (null state). */
    void reportState(String instanceId, SegmentId segment, SegmentState state) {
      InstanceDocument old = instance(instanceId);
      table(segment.table());
      Map<SegmentId, SegmentState> states = new HashMap<>(old.states());
      if (state == null) {
        if (states.remove(segment) == null) {
          return;
        }
      } else if (states.put(segment, state) == state) {
        return;
      }
      instances.put(instanceId, new InstanceDocument(old.info(), old.assignmentVersion(), states));
    }

    void replanAll() {
      serversChanged = true;
    }

    private void dropStates(java.util.function.Predicate<SegmentId> which) {
      for (InstanceDocument doc : allInstances().values()) {
        if (doc.states().keySet().stream().anyMatch(which)) {
          Map<SegmentId, SegmentState> states = new HashMap<>(doc.states());
          states.keySet().removeIf(which);
          instances.put(
              doc.info().id(), new InstanceDocument(doc.info(), doc.assignmentVersion(), states));
        }
      }
    }

    /** Recomputes ideal states that may have moved and bumps the versions of affected instances. */
    void replan() {
      Map<String, InstanceDocument> allInstances = allInstances();
      List<String> servers =
          allInstances.values().stream()
              .filter(d -> d.info().isServer() && d.info().enabled())
              .map(d -> d.info().id())
              .sorted()
              .toList();
      Map<TableNameWithType, TableState> all = allTables();
      Map<String, Integer> load = AssignmentPlanner.newLoad();
      all.values().forEach(t -> AssignmentPlanner.addLoad(t.idealState(), load));
      for (Map.Entry<TableNameWithType, TableState> entry : all.entrySet()) {
        if (!serversChanged && !replan.contains(entry.getKey())) {
          continue;
        }
        TableState table = entry.getValue();
        Map<String, Integer> others = new HashMap<>(load);
        table
            .idealState()
            .values()
            .forEach(holders -> holders.forEach(h -> others.merge(h, -1, Integer::sum)));
        Map<String, List<String>> plan =
            AssignmentPlanner.plan(
                table.config().replication(),
                assignable(table),
                table.idealState(),
                servers,
                others);
        load.clear();
        load.putAll(others);
        if (!plan.equals(table.idealState())) {
          Set<String> segments = new HashSet<>(plan.keySet());
          segments.addAll(table.idealState().keySet());
          for (String segment : segments) {
            Set<String> before = new HashSet<>(table.idealState().getOrDefault(segment, List.of()));
            Set<String> after = new HashSet<>(plan.getOrDefault(segment, List.of()));
            if (!before.equals(after)) {
              before.forEach(
                  h -> {
                    if (!after.contains(h)) {
                      bumped.add(h);
                    }
                  });
              after.forEach(
                  h -> {
                    if (!before.contains(h)) {
                      bumped.add(h);
                    }
                  });
            }
          }
          tables.put(entry.getKey(), table.withIdealState(plan));
        }
      }
      for (SegmentId segment : changedSegments) {
        TableState table =
            tables.containsKey(segment.table())
                ? tables.get(segment.table())
                : all.get(segment.table());
        if (table != null) {
          bumped.addAll(table.idealState().getOrDefault(segment.segmentName(), List.of()));
        }
      }
      for (String id : bumped) {
        InstanceDocument doc =
            instances.containsKey(id) ? instances.get(id) : ControllerState.this.instances.get(id);
        if (doc != null) {
          instances.put(
              id, new InstanceDocument(doc.info(), doc.assignmentVersion() + 1, doc.states()));
        }
      }
    }

    /**
     * The segments servers may be asked to hold: not those still consuming or being committed
     * ({@code IN_PROGRESS}, {@code COMMITTING}), which join the ideal state once committed.
     */
    private List<String> assignable(TableState table) {
      List<String> names = new ArrayList<>();
      table
          .segments()
          .forEach(
              (name, doc) -> {
                String status = doc.metadata().fields().get(SegmentMetadata.REALTIME_STATUS);
                if (!RealtimeStatus.IN_PROGRESS.name().equals(status)
                    && !RealtimeStatus.COMMITTING.name().equals(status)) {
                  names.add(name);
                }
              });
      return names;
    }

    /** The documents to write, segments before the tables that reference them. */
    List<Change> changes() {
      List<Change> changes = new ArrayList<>();
      instances.forEach(
          (id, doc) -> {
            if (doc == null) {
              changes.add(new Change.DeleteInstance(id));
            } else if (!doc.equals(ControllerState.this.instances.get(id))) {
              changes.add(new Change.PutInstance(doc));
            }
          });
      tables.forEach(
          (name, table) -> {
            TableState old = ControllerState.this.tables.get(name);
            if (table == null) {
              return;
            }
            table
                .segments()
                .forEach(
                    (segment, doc) -> {
                      if (old == null || !Objects.equals(old.segments().get(segment), doc)) {
                        changes.add(new Change.PutSegment(doc));
                      }
                    });
            if (old == null
                || !old.config().equals(table.config())
                || !old.idealState().equals(table.idealState())
                || old.changedTimeMs() != table.changedTimeMs()) {
              changes.add(
                  new Change.PutTable(
                      new TableDocument(
                          table.config(), table.idealState(), table.changedTimeMs())));
            }
          });
      deletedSegments.forEach(segment -> changes.add(new Change.DeleteSegment(segment)));
      schemas.forEach(
          (name, schema) ->
              changes.add(
                  schema == null
                      ? new Change.DeleteSchema(name)
                      : new Change.PutSchema(new SchemaDocument(name, schema))));
      tables.forEach(
          (name, table) -> {
            if (table == null && ControllerState.this.tables.containsKey(name)) {
              changes.add(new Change.DeleteTable(name));
            }
          });
      if (LOG.isDebugEnabled()) {
        LOG.debug("persisting {} controller changes", changes.size());
      }
      return changes;
    }
  }
}
