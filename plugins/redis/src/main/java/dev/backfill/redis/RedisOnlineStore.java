package dev.backfill.redis;

import dev.backfill.api.EntityKey;
import dev.backfill.api.InvalidFeatureSetException;
import dev.backfill.api.Row;
import dev.backfill.api.StoreException;
import dev.backfill.spi.ChangedKeys;
import dev.backfill.spi.DeclaredCondition;
import dev.backfill.spi.OnlineStore;
import dev.backfill.spi.OnlineWrite;
import dev.backfill.spi.TableNames;
import dev.backfill.spi.TableSpec;
import dev.backfill.spi.WriteCondition;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online store on a Redis server or Redis Cluster, in the open layout of {@link RedisLayout}:
 * serving applications in any language read rows with plain {@code HGETALL}.
 *
 * <p><b>Atomic conditional writes across processes.</b> Each write runs as one Lua script on the
 * server ({@code EVALSHA}), which reads the stored event time, evaluates the write's condition and
 * replaces or deletes the hash with no other command in between: the per-key atomicity of
 * {@link OnlineStore} holds among every process and machine that writes through this store. The
 * engine's conditions are declared ({@link WriteCondition#declared()}), so a batch of them is
 * one pipelined round trip. A tie on the event time of a newest-wins write, and a condition that
 * is only code (a lambda), are decided in the client: read the hash, evaluate, and write only if
 * the hash is still what was read (compare-and-set in the same script), retrying on a change.
 *
 * <p><b>Failures.</b> A command the client refused because the connection was down never reached
 * the server; it is retried until option {@code timeout} has passed since the first refusal.
 * Everything else (a timeout, an error reply, a cluster node down) is a {@link StoreException}
 * naming the servers and the table; a write that throws may have applied part of its batch, never
 * half of one key.
 *
 * <p>Thread-safe: each batch borrows a connection of its own from a small pool, queues its
 * commands and sends them in one write (one round trip a batch); key scans and the checks at
 * opening use one shared connection.
 */
public final class RedisOnlineStore implements OnlineStore {
  private static final Logger LOG = LoggerFactory.getLogger(RedisOnlineStore.class);
  /** What write.lua and reconcile.lua share: the comparison of event times as decimal text. */
  private static final String DECIMAL = loadScript("decimal.lua");
  private static final String SCRIPT = DECIMAL + loadScript("write.lua");
  private static final String READ_SCRIPT = loadScript("read.lua");
  private static final String RECONCILE_SCRIPT = DECIMAL + loadScript("reconcile.lua");
  private static final int SCAN_COUNT = 1_000;
  private static final long APPLIED = 1;
  private static final long TIE = 2;
  private static final long CHANGED = 3;
  private static final long NOT_A_HASH = 4;
  private static final long NO_EVENT_TIME = 5;
  /** What reconcile.lua answers for a key it deleted (6, a key already at its target, counts nothing). */
  private static final long DELETED = 7;
  private static final int KEYS_PER_CALL = 100;
  /**
   * Script calls queued before a flush: the server starts on the first calls of a batch while
   * the client still encodes the rest, instead of waiting for the whole batch.
   */
  private static final int CALLS_PER_FLUSH = 4;

  private final RedisConnection connection;
  private final RedisOptions options;
  private final RedisLayout layout;
  private final String scriptSha;
  private final String readScriptSha;
  private final String reconcileScriptSha;
  private final Map<String, TableSpec> specs = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** Set once by the provider: the options the store was made from. */
  private volatile java.util.Optional<dev.backfill.spi.PluginDefinition> definition = java.util.Optional.empty();

  void definedBy(dev.backfill.spi.PluginDefinition made) {
    this.definition = java.util.Optional.of(made);
  }

  /**
   * The type {@code redis} and the options, when the store was made by its provider (a password
   * given through an environment variable is read again from the opening process's environment).
   */
  @Override
  public java.util.Optional<dev.backfill.spi.PluginDefinition> definition() {
    return definition;
  }

  private RedisOnlineStore(RedisConnection connection) {
    this.connection = connection;
    this.options = connection.options();
    this.layout = new RedisLayout(options.namespace());
    this.scriptSha = sha1Hex(SCRIPT);
    this.readScriptSha = sha1Hex(READ_SCRIPT);
    this.reconcileScriptSha = sha1Hex(RECONCILE_SCRIPT);
  }

  /**
   * Connects to the server or cluster of the options and checks it.
   *
   * @throws StoreException naming the servers when they cannot be reached, refuse the login, are
   *     not Redis, or are (not) a cluster against option {@code cluster}
   */
  public static RedisOnlineStore open(RedisOptions options) {
    Objects.requireNonNull(options, "options");
    RedisOnlineStore store = new RedisOnlineStore(RedisConnection.open(options));
    try {
      store.checkTablesKey();
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  /** The options the store was opened with. */
  public RedisOptions options() {
    return options;
  }

  @Override
  public void createTable(TableSpec table) {
    Objects.requireNonNull(table, "table");
    ensureOpen();
    checkTablesKey();
    Map<String, String> registry = one(c -> c.hgetall(layout.tablesKey()), "reading the table specs");
    String text = RedisLayout.specText(table);
    String stored = registry.get(table.name());
    if (stored != null && !RedisLayout.isDropping(stored)) {
      TableSpec existing = RedisLayout.spec(table.name(), stored, where(table.name()));
      if (!existing.equals(table)) {
        throw new InvalidFeatureSetException("table '" + table.name() + "' exists in the " + this + " with spec " + stored
            + ", not " + text + "; drop it first or use another name");
      }
      specs.put(table.name(), existing);
      return;
    }
    if (stored != null) {
      finishDrop(table.name());
    }
    TableNames.requireNoCaseTwin(this, table.name(), registry.keySet());
    firstKey(layout.anyKeyPattern(table.name())).ifPresent(key -> {
      throw RedisLayout.foreign(key, "is under namespace '" + options.namespace() + "' where the rows of table '"
          + table.name() + "' go, but that table is not registered in " + layout.tablesKey());
    });
    boolean created = one(c -> c.hsetnx(layout.tablesKey(), table.name(), text), "registering table '"
        + table.name() + "'");
    if (!created) {
      specs.remove(table.name());
      createTable(table); // another client registered it meanwhile: compare with its spec
      return;
    }
    specs.put(table.name(), table);
  }

  @Override
  public Optional<Row> get(String table, EntityKey key) {
    return Optional.ofNullable(getAll(table, List.of(key)).get(key));
  }

  @Override
  public Map<EntityKey, Row> getAll(String table, Collection<EntityKey> keys) {
    TableSpec spec = spec(table);
    List<EntityKey> list = List.copyOf(keys);
    Map<EntityKey, Row> rows = new HashMap<>();
    for (int from = 0; from < list.size(); from += options.batchSize()) {
      List<EntityKey> batch = list.subList(from, Math.min(list.size(), from + options.batchSize()));
      List<String> rowKeys = batch.stream().map(k -> layout.rowKey(spec, k)).toList();
      List<Map<String, String>> hashes = readHashes(rowKeys, "reading keys of table '" + table + "'");
      for (int i = 0; i < batch.size(); i++) {
        if (!hashes.get(i).isEmpty()) {
          rows.put(batch.get(i), layout.row(spec, batch.get(i), rowKeys.get(i), hashes.get(i)));
        }
      }
    }
    return rows;
  }

  /**
   * The hashes of the keys, in order (empty for an absent key): the read script, up to
   * {@value #KEYS_PER_CALL} keys a call, the calls pipelined.
   *
   * @throws StoreException naming a key that holds another type than a hash
   */
  private List<Map<String, String>> readHashes(List<String> rowKeys, String doing) {
    List<List<Integer>> calls = calls(rowKeys);
    List<Function<RedisClusterAsyncCommands<String, String>, RedisFuture<List<Object>>>> commands = new ArrayList<>();
    for (List<Integer> call : calls) {
      String[] keys = call.stream().map(rowKeys::get).toArray(String[]::new);
      commands.add(c -> c.evalsha(readScriptSha, ScriptOutputType.MULTI, keys));
    }
    List<List<Object>> replies = run(commands, doing, CALLS_PER_FLUSH);
    List<Map<String, String>> hashes = new ArrayList<>(java.util.Collections.nCopies(rowKeys.size(), null));
    for (int g = 0; g < calls.size(); g++) {
      List<Integer> call = calls.get(g);
      for (int j = 0; j < call.size(); j++) {
        Object reply = replies.get(g).get(j);
        if (!(reply instanceof List<?> flat)) {
          throw RedisLayout.foreign(rowKeys.get(call.get(j)), "holds another type than a hash");
        }
        Map<String, String> hash = new java.util.LinkedHashMap<>();
        for (int f = 0; f + 1 < flat.size(); f += 2) {
          hash.put((String) flat.get(f), (String) flat.get(f + 1));
        }
        hashes.set(call.get(j), hash);
      }
    }
    return hashes;
  }

  /**
   * The keys' indexes grouped into script calls of up to {@value #KEYS_PER_CALL} keys; in a
   * cluster the keys of a call share a slot, as Redis requires of a script's keys.
   */
  private List<List<Integer>> calls(List<String> rowKeys) {
    Map<Integer, List<Integer>> open = new HashMap<>();
    List<List<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < rowKeys.size(); i++) {
      int slot = options.cluster() ? io.lettuce.core.cluster.SlotHash.getSlot(rowKeys.get(i)) : 0;
      List<Integer> call = open.get(slot);
      if (call == null || call.size() == KEYS_PER_CALL) {
        call = new ArrayList<>();
        open.put(slot, call);
        calls.add(call);
      }
      call.add(i);
    }
    return calls;
  }

  @Override
  public long write(String table, List<OnlineWrite> writes) {
    TableSpec spec = spec(table);
    long applied = 0;
    int next = 0;
    while (next < writes.size()) {
      // A segment holds each key once, so that deciding ties and lambdas after the segment's
      // round trip still applies the writes of one key in list order.
      List<OnlineWrite> segment = new ArrayList<>();
      Set<EntityKey> keys = new HashSet<>();
      while (next < writes.size() && segment.size() < options.batchSize() && keys.add(writes.get(next).key())) {
        segment.add(writes.get(next++));
      }
      applied += writeSegment(spec, segment);
    }
    return applied;
  }

  private long writeSegment(TableSpec spec, List<OnlineWrite> segment) {
    List<OnlineWrite> onServer = new ArrayList<>();
    List<KeyedScript> scripts = new ArrayList<>();
    List<ClientDecided> inClient = new ArrayList<>();
    for (OnlineWrite write : segment) {
      Optional<String[]> condition = write.condition().declared().flatMap(d -> serverCondition(spec, d));
      if (condition.isPresent()) {
        onServer.add(write);
        scripts.add(new KeyedScript(layout.rowKey(spec, write.key()), scriptArgs(spec, write, condition.get(), null)));
      } else {
        inClient.add(new ClientDecided(write, write.condition()));
      }
    }
    long applied = 0;
    List<Long> results = runScripts(scripts, "writing keys of table '" + spec.name() + "'");
    for (int i = 0; i < results.size(); i++) {
      long result = results.get(i);
      if (result == APPLIED) {
        applied++;
      } else if (result == TIE) {
        OnlineWrite write = onServer.get(i);
        Row row = write.row().orElseThrow();
        inClient.add(new ClientDecided(write, stored -> stored.isEmpty() || spec.latestOrder().compare(stored.get(), row) < 0));
      }
    }
    return applied + decideInClient(spec, inClient);
  }

  /**
   * Each key in one pass of {@code reconcile.lua}, which reads the stored hash, checks the
   * condition and writes only a hash that is not already the target, atomically per key: no read
   * pass before the writes. Hashes compare field by field as text, which is row equality in this
   * layout (one text per value; a double's text is {@link Double#toString}, equal exactly when
   * {@link Double#equals} is). Writes whose condition the server cannot evaluate take the
   * default's read-then-write path.
   */
  @Override
  public ChangedKeys writeChanged(String table, List<OnlineWrite> writes) {
    TableSpec spec = spec(table);
    Map<List<String>, List<OnlineWrite>> byCondition = new java.util.LinkedHashMap<>();
    for (OnlineWrite write : writes) {
      Optional<String[]> condition = write.condition().declared().flatMap(d -> serverCondition(spec, d));
      if (condition.isEmpty() || condition.get()[0].equals("l")) {
        return OnlineStore.super.writeChanged(table, writes);
      }
      byCondition.computeIfAbsent(List.of(condition.get()), c -> new ArrayList<>()).add(write);
    }
    ChangedKeys changed = ChangedKeys.none();
    for (Map.Entry<List<String>, List<OnlineWrite>> group : byCondition.entrySet()) {
      changed = changed.plus(writeChangedOnServer(spec, group.getKey(), group.getValue()));
    }
    return changed;
  }

  /** Writes sharing one server condition: the condition and the field names once a call, each key's values after. */
  private ChangedKeys writeChangedOnServer(TableSpec spec, List<String> condition, List<OnlineWrite> writes) {
    List<String> names = layout.fieldNames(spec);
    List<String> header = new ArrayList<>(3 + names.size());
    header.addAll(condition);
    header.add(Integer.toString(names.size()));
    header.addAll(names);
    List<String> rowKeys = new ArrayList<>(writes.size());
    for (OnlineWrite write : writes) {
      rowKeys.add(layout.rowKey(spec, write.key()));
    }
    List<Long> results = runScripts(reconcileScriptSha, rowKeys, header, (i, args) -> {
      Optional<Row> row = writes.get(i).row();
      if (row.isEmpty()) {
        args.add("");
      } else {
        layout.appendMasked(spec, row.get(), args);
      }
    }, "writing keys of table '" + spec.name() + "'");
    long written = 0;
    long deleted = 0;
    for (long result : results) {
      if (result == APPLIED) {
        written++;
      } else if (result == DELETED) {
        deleted++;
      }
    }
    return new ChangedKeys(written, deleted);
  }

  /** A write whose condition the client evaluates, then applies by compare-and-set. */
  private record ClientDecided(OnlineWrite write, WriteCondition condition) {}

  /** One key's part of a call of the write script: its key and its arguments. */
  private record KeyedScript(String key, List<String> args) {}

  /** Appends the script arguments of the key at an index to a call's arguments. */
  @FunctionalInterface
  private interface ScriptArgs {
    void append(int index, List<String> args);
  }

  private long decideInClient(TableSpec spec, List<ClientDecided> pending) {
    long applied = 0;
    while (!pending.isEmpty()) {
      List<String> rowKeys = pending.stream().map(p -> layout.rowKey(spec, p.write().key())).toList();
      List<Map<String, String>> hashes = readHashes(rowKeys, "reading keys of table '" + spec.name() + "'");
      List<ClientDecided> permitted = new ArrayList<>();
      List<KeyedScript> scripts = new ArrayList<>();
      for (int i = 0; i < pending.size(); i++) {
        ClientDecided p = pending.get(i);
        Map<String, String> hash = hashes.get(i);
        Optional<Row> stored = hash.isEmpty() ? Optional.empty()
            : Optional.of(layout.row(spec, p.write().key(), rowKeys.get(i), hash));
        if (p.condition().permits(stored)) {
          permitted.add(p);
          scripts.add(new KeyedScript(rowKeys.get(i), scriptArgs(spec, p.write(), new String[] {"e", ""}, hash.isEmpty() ? null : hash)));
        }
      }
      List<Long> results = runScripts(scripts, "writing keys of table '" + spec.name() + "'");
      List<ClientDecided> changed = new ArrayList<>();
      for (int i = 0; i < results.size(); i++) {
        if (results.get(i) == APPLIED) {
          applied++;
        } else if (results.get(i) == CHANGED) {
          changed.add(permitted.get(i));
        }
      }
      pending = changed;
    }
    return applied;
  }

  /**
   * Runs the write script over the keys, pipelined: one call for up to {@value #KEYS_PER_CALL}
   * keys (in a cluster, keys of one slot, as Redis requires), so that the cost of a script call is
   * shared. Returns each key's result in the order given.
   *
   * @throws StoreException naming the first key that is not a row of this layout, once every
   *     other key of the batch has been written
   */
  private List<Long> runScripts(List<KeyedScript> scripts, String doing) {
    return runScripts(scriptSha, scripts.stream().map(KeyedScript::key).toList(), List.of(),
        (i, args) -> args.addAll(scripts.get(i).args()), doing);
  }

  /**
   * Runs a script of per-key results over the keys as {@link #runScripts(List, String)} does:
   * each call's arguments are {@code header}, then each key's arguments, appended by
   * {@code argsOf} only when its call is queued, so that the server works on the first calls
   * while the later ones are built.
   */
  private List<Long> runScripts(String sha, List<String> rowKeys, List<String> header, ScriptArgs argsOf, String doing) {
    List<List<Integer>> calls = calls(rowKeys);
    List<Function<RedisClusterAsyncCommands<String, String>, RedisFuture<List<Object>>>> commands = new ArrayList<>();
    for (List<Integer> call : calls) {
      commands.add(c -> {
        String[] keys = new String[call.size()];
        List<String> args = new ArrayList<>(header.size() + call.size() * 12);
        args.addAll(header);
        for (int j = 0; j < call.size(); j++) {
          keys[j] = rowKeys.get(call.get(j));
          argsOf.append(call.get(j), args);
        }
        return c.evalsha(sha, ScriptOutputType.MULTI, keys, args.toArray(String[]::new));
      });
    }
    List<List<Object>> replies = run(commands, doing, CALLS_PER_FLUSH);
    Long[] results = new Long[rowKeys.size()];
    String foreign = null;
    for (int g = 0; g < calls.size(); g++) {
      List<Integer> call = calls.get(g);
      for (int j = 0; j < call.size(); j++) {
        long result = (Long) replies.get(g).get(j);
        results[call.get(j)] = result;
        if ((result == NOT_A_HASH || result == NO_EVENT_TIME) && foreign == null) {
          String key = rowKeys.get(call.get(j));
          foreign = result == NOT_A_HASH ? key + "' holds another type than a hash"
              : key + "' is a hash without the field " + RedisLayout.EVENT_TIME_FIELD;
        }
      }
    }
    if (foreign != null) {
      throw new StoreException("Redis key '" + foreign + " while " + doing + ": it is not a row of this store's layout and"
          + " was left alone; is another program writing under namespace '" + options.namespace() + "'? Use another"
          + " namespace, or remove the key");
    }
    return List.of(results);
  }

  /** The script's condition arguments for a declared condition, or empty when only the client can decide it. */
  private static Optional<String[]> serverCondition(TableSpec spec, DeclaredCondition condition) {
    if (condition instanceof DeclaredCondition.Always) {
      return Optional.of(new String[] {"a", ""});
    }
    if (condition instanceof DeclaredCondition.StoredBeforeFence fence && fence.eventTimeColumn().equals(spec.eventTimeColumn())) {
      return Optional.of(new String[] {"f", RedisLayout.ceilMicrosText(fence.fence())});
    }
    if (condition instanceof DeclaredCondition.StoredBefore before) {
      // Floor micros: a stored time below it is before the row, above it after; equal is a tie.
      return Optional.of(new String[] {"l", RedisLayout.valueText(spec.eventTimeOf(before.row()))});
    }
    return Optional.empty();
  }

  private List<String> scriptArgs(TableSpec spec, OnlineWrite write, String[] condition, Map<String, String> expected) {
    Map<String, String> fields = write.row().map(row -> layout.fields(spec, row)).orElse(Map.of());
    List<String> args = new ArrayList<>(4 + 2 * fields.size() + (expected == null ? 0 : 2 * expected.size()));
    args.add(condition[0]);
    args.add(condition[1]);
    args.add(condition[0].equals("e") && expected == null ? "-1" : Integer.toString(expected == null ? 0 : expected.size()));
    args.add(Integer.toString(fields.size()));
    if (expected != null) {
      expected.forEach((field, value) -> {
        args.add(field);
        args.add(value);
      });
    }
    fields.forEach((field, value) -> {
      args.add(field);
      args.add(value);
    });
    return args;
  }

  @Override
  public Stream<EntityKey> keys(String table) {
    TableSpec spec = spec(table);
    Iterator<String> rowKeys = scan(layout.rowPattern(table));
    Iterator<EntityKey> keys = new Iterator<>() {
      @Override
      public boolean hasNext() {
        return rowKeys.hasNext();
      }

      @Override
      public EntityKey next() {
        return layout.entityKey(spec, rowKeys.next());
      }
    };
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(keys, Spliterator.NONNULL), false);
  }

  /**
   * Marks the table as being dropped, deletes its keys on every master, then forgets its spec: a
   * drop cut short leaves the mark, so that the table is gone for every reader and the next
   * {@link #createTable} of the name finishes the drop first.
   */
  @Override
  public void dropTable(String name) {
    ensureOpen();
    checkTablesKey();
    String stored = one(c -> c.hget(layout.tablesKey(), name), "reading the spec of table '" + name + "'");
    if (stored == null) {
      return;
    }
    if (!RedisLayout.isDropping(stored)) {
      String marked = RedisLayout.droppingText(stored);
      one(c -> c.hset(layout.tablesKey(), name, marked), "marking table '" + name + "' as dropped");
    }
    specs.remove(name);
    finishDrop(name);
  }

  private void finishDrop(String name) {
    Iterator<String> rowKeys = scan(layout.rowPattern(name));
    List<String> batch = new ArrayList<>();
    while (rowKeys.hasNext()) {
      batch.add(rowKeys.next());
      if (batch.size() == options.batchSize() || !rowKeys.hasNext()) {
        run(batch.stream().<Function<RedisClusterAsyncCommands<String, String>, RedisFuture<Long>>>map(k -> c -> c.unlink(k)).toList(),
            "deleting the keys of table '" + name + "'");
        batch.clear();
      }
    }
    one(c -> c.hdel(layout.tablesKey(), name), "forgetting table '" + name + "'");
    specs.remove(name);
  }

  /**
   * Nothing to do: Redis acknowledges a write once it is in memory, and how soon it reaches disk
   * is the server's configuration ({@code appendonly yes} with {@code appendfsync always} or
   * {@code everysec}), which a client cannot strengthen on Redis 7.0. See the README.
   */
  @Override
  public void sync() {
    ensureOpen();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      connection.close();
    }
  }

  @Override
  public String toString() {
    return "Redis online store at " + options.servers() + (options.cluster() ? " (cluster)" : "") + ", namespace '"
        + options.namespace() + "'";
  }

  // ------------------------------------------------------------------------------------ helpers

  private TableSpec spec(String table) {
    ensureOpen();
    TableSpec cached = specs.get(table);
    if (cached != null) {
      return cached;
    }
    String text = one(c -> c.hget(layout.tablesKey(), table), "reading the spec of table '" + table + "'");
    if (text == null || RedisLayout.isDropping(text)) {
      throw new StoreException("table '" + table + "' does not exist in the " + this + "; create it first (registering"
          + " its feature set does)");
    }
    TableSpec spec = RedisLayout.spec(table, text, where(table));
    specs.put(table, spec);
    return spec;
  }

  private String where(String table) {
    return "field '" + table + "' of Redis hash '" + layout.tablesKey() + "'";
  }

  private void checkTablesKey() {
    String type = one(c -> c.type(layout.tablesKey()), "checking the namespace");
    if (!type.equals("none") && !type.equals("hash")) {
      throw new StoreException("Redis key '" + layout.tablesKey() + "' is a " + type + ", not the hash of table specs this"
          + " store keeps there; is another program using namespace '" + options.namespace() + "'? Use another namespace"
          + " (option 'namespace'), or remove the key");
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new StoreException("the " + this + " is closed");
    }
  }

  private Optional<String> firstKey(String pattern) {
    Iterator<String> keys = scan(pattern);
    return keys.hasNext() ? Optional.of(keys.next()) : Optional.empty();
  }

  /** Every key matching the pattern, with SCAN on every master, page by page. */
  private Iterator<String> scan(String pattern) {
    List<RedisClusterAsyncCommands<String, String>> masters = connection.masters();
    ScanArgs args = ScanArgs.Builder.matches(pattern).limit(SCAN_COUNT);
    return new Iterator<>() {
      private int node;
      private KeyScanCursor<String> cursor;
      private Iterator<String> page = List.<String>of().iterator();

      @Override
      public boolean hasNext() {
        while (!page.hasNext()) {
          if (cursor != null && cursor.isFinished()) {
            node++;
            cursor = null;
          }
          if (node >= masters.size()) {
            return false;
          }
          RedisClusterAsyncCommands<String, String> master = masters.get(node);
          KeyScanCursor<String> previous = cursor;
          cursor = one(c -> previous == null ? master.scan(args) : master.scan(ScanCursor.of(previous.getCursor()), args),
              "listing keys matching '" + pattern + "'");
          page = cursor.getKeys().iterator();
        }
        return true;
      }

      @Override
      public String next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return page.next();
      }
    };
  }

  /**
   * Sends the commands pipelined and waits for all their replies. Commands the client refused
   * because the connection was down, and scripts the server did not know (a restarted server),
   * never ran: they are sent again until option {@code timeout} has passed since the first
   * refusal. Any other failure is a {@link StoreException} saying what was being done.
   */
  private <T> List<T> run(List<Function<RedisClusterAsyncCommands<String, String>, RedisFuture<T>>> commands, String doing) {
    return run(commands, doing, Integer.MAX_VALUE);
  }

  /** {@link #run(List, String)}, flushing every {@code perFlush} commands rather than once at the end. */
  private <T> List<T> run(List<Function<RedisClusterAsyncCommands<String, String>, RedisFuture<T>>> commands, String doing,
      int perFlush) {
    ensureOpen();
    List<T> results = new ArrayList<>(java.util.Collections.nCopies(commands.size(), null));
    List<Integer> todo = new ArrayList<>();
    for (int i = 0; i < commands.size(); i++) {
      todo.add(i);
    }
    Patience patience = new Patience();
    int scriptLoads = 0;
    while (!todo.isEmpty()) {
      List<RedisFuture<T>> futures = new ArrayList<>(todo.size());
      RedisConnection.Pipeline pipeline;
      try {
        pipeline = connection.borrow();
      } catch (RedisException e) {
        if (!neverSent(e)) {
          throw failure(e, doing);
        }
        patience.waitOrFail(e, doing);
        continue;
      }
      try {
        for (int i : todo) {
          futures.add(commands.get(i).apply(pipeline.commands()));
          if (futures.size() % perFlush == 0) {
            pipeline.flush();
          }
        }
        pipeline.flush();
      } finally {
        connection.release(pipeline);
      }
      List<Integer> again = new ArrayList<>();
      boolean missingScript = false;
      RuntimeException unreachable = null;
      for (int j = 0; j < todo.size(); j++) {
        try {
          results.set(todo.get(j), await(futures.get(j)));
        } catch (RedisNoScriptException e) {
          missingScript = true;
          again.add(todo.get(j));
        } catch (RedisException e) {
          if (!neverSent(e)) {
            throw failure(e, doing);
          }
          unreachable = e;
          again.add(todo.get(j));
        }
      }
      if (missingScript) {
        if (++scriptLoads > 3) {
          throw new StoreException("Redis at " + options.servers() + " keeps answering NOSCRIPT to the scripts while "
              + doing + ", although it was loaded " + (scriptLoads - 1) + " times; is a script cache flushed in a loop?");
        }
        loadScripts(doing);
      }
      if (unreachable != null) {
        patience.waitOrFail(unreachable, doing);
      }
      todo = again;
    }
    return results;
  }

  /** How long one {@link #run} has waited for a server it cannot reach, and how long it waits next. */
  private final class Patience {
    private long deadline;
    private long pause = 50;

    void waitOrFail(RuntimeException unreachable, String doing) {
      long now = System.nanoTime();
      if (deadline == 0) {
        deadline = now + options.timeout().toNanos();
        LOG.warn("Redis at {} cannot be reached while {} ({}); retrying for up to {}", options.servers(), doing,
            RedisConnection.firstLine(unreachable), options.timeout());
      } else if (now - deadline > 0) {
        throw new StoreException("Redis at " + options.servers() + " could not be reached for " + options.timeout()
            + " (option 'timeout') while " + doing + " (" + RedisConnection.firstLine(unreachable) + "); "
            + (doing.startsWith("writing") ? "some keys of the batch may be written, each whole or not at all; " : "")
            + "check that the server runs, then run the command again", unreachable);
      }
      sleep(pause);
      pause = Math.min(pause * 2, 1_000);
    }
  }

  private <T> T one(Function<RedisClusterAsyncCommands<String, String>, RedisFuture<T>> command, String doing) {
    return run(List.of(command), doing).get(0);
  }

  private <T> T await(RedisFuture<T> future) {
    try {
      // Lettuce's own timeout (option timeout) ends the wait; this bound only guards against a hang.
      return future.get(options.timeout().toMillis() * 2 + 1_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RedisException redis) {
        throw redis;
      }
      throw new RedisException(e.getCause());
    } catch (TimeoutException e) {
      throw new RedisCommandTimeoutException("no reply within " + options.timeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while waiting for Redis at " + options.servers(), e);
    }
  }

  /**
   * Whether the command surely did not run: refused by the client while disconnected, or by a
   * server still loading its data after a restart.
   */
  private static boolean neverSent(RedisException e) {
    String message = String.valueOf(e.getMessage());
    return message.contains("Commands are rejected") || message.contains("not connected") || message.startsWith("LOADING")
        || e instanceof RedisConnectionException;
  }

  /** Loads the scripts on every master: a cluster routes each EVALSHA to the master of its keys' slot. */
  private void loadScripts(String doing) {
    for (RedisClusterAsyncCommands<String, String> master : connection.masters()) {
      one(c -> master.scriptLoad(SCRIPT), doing + " (loading the write script)");
      one(c -> master.scriptLoad(READ_SCRIPT), doing + " (loading the read script)");
      one(c -> master.scriptLoad(RECONCILE_SCRIPT), doing + " (loading the reconciliation script)");
    }
  }

  private StoreException failure(RedisException e, String doing) {
    if (e instanceof RedisCommandTimeoutException) {
      return new StoreException("Redis at " + options.servers() + " did not answer within " + options.timeout()
          + " (option 'timeout') while " + doing + "; "
          + (doing.startsWith("writing") ? "the batch's keys may or may not be written, each whole or not at all; " : "")
          + "check the server's load and the network, or raise the timeout", e);
    }
    String message = RedisConnection.firstLine(e);
    if (message.startsWith("CLUSTERDOWN") || message.startsWith("MOVED") || message.startsWith("TRYAGAIN")) {
      return new StoreException("the Redis Cluster at " + options.servers() + " cannot serve every key while " + doing + " ("
          + message + "); a node is down or the cluster is resharding: nothing of the failed keys was written", e);
    }
    if (e instanceof RedisCommandExecutionException) {
      return new StoreException("Redis at " + options.servers() + " refused a command while " + doing + " (" + message + ")", e);
    }
    return new StoreException("Redis at " + options.servers() + " failed while " + doing + " (" + message + ")", e);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while waiting for Redis to come back", e);
    }
  }

  private static String sha1Hex(String text) {
    try {
      return java.util.HexFormat.of().formatHex(
          java.security.MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-1", e);
    }
  }

  private static String loadScript(String name) {
    try (InputStream in = RedisOnlineStore.class.getResourceAsStream(name)) {
      return new String(Objects.requireNonNull(in, name).readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
