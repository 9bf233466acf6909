package dev.aegis.memory;

import dev.aegis.pin.Canonical;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The memory server's tools: the knowledge graph of {@code @modelcontextprotocol/server-memory} (same names,
 * arguments and answers, so agents switch without changes) and document memory ({@code memory_write},
 * {@code memory_read}, {@code memory_search}, {@code memory_history}, {@code memory_revert}, {@code memory_delete}).
 * Every tool takes an optional {@code scope}; reads take {@code minTrust}. Graph entities are items
 * {@code entity/NAME}, relations {@code relation/[from,type,to]}, documents {@code doc/KEY}.
 *
 * <pre>{@code
 * ObjectNode result = tools.call(actor, "create_entities", arguments);   // a tools/call result
 * }</pre>
 */
public final class MemoryTools {
  static final String ENTITY = "entity/";
  static final String RELATION = "relation/";
  static final String DOC = "doc/";
  /** The most items one graph read returns; more is flagged {@code truncated}. */
  static final int GRAPH_LIMIT = 10_000;
  private static final int RETRIES = 8;
  private static final int MAX_ITEMS_PER_CALL = 1_000;

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final ArrayNode TOOLS = load();

  private final Memory memory;

  public MemoryTools(Memory memory) {
    this.memory = memory;
  }

  /** The tool definitions ({@code tools/list}). */
  public static ArrayNode definitions() {
    return TOOLS.deepCopy();
  }

  public static boolean has(String name) {
    for (JsonNode t : TOOLS) {
      if (t.path("name").asString("").equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** Runs tool {@code name} for {@code a}; a refusal or bad argument is a result with {@code isError}. */
  public ObjectNode call(Actor a, String name, JsonNode args) {
    return call(a, name, args, null);
  }

  /**
   * Runs tool {@code name} for {@code a}, with the request's {@code _meta}: an agent that holds its own key
   * ({@code memory.agentKeys}) must sign every write request there ({@value #SIGNATURE_META}:
   * {@code {time, signature}}, see {@link Memory#requestPayload}).
   */
  public ObjectNode call(Actor caller, String name, JsonNode args, JsonNode meta) {
    JsonNode in = args == null || args.isNull() ? JSON.objectNode() : args;
    try {
      if (!in.isObject()) {
        throw new IllegalArgumentException("arguments must be an object");
      }
      Actor a = WRITES.contains(name) && memory.agentKey(caller.principal()) != null
          ? caller.signed(checkRequestSignature(caller.principal(), name, in, meta)) : caller;
      return switch (name) {
        case "create_entities" -> retry(() -> createEntities(a, in));
        case "create_relations" -> retry(() -> createRelations(a, in));
        case "add_observations" -> retry(() -> addObservations(a, in));
        case "delete_entities" -> retry(() -> deleteEntities(a, in));
        case "delete_observations" -> retry(() -> deleteObservations(a, in));
        case "delete_relations" -> retry(() -> deleteRelations(a, in));
        case "read_graph" -> graphResult(readGraph(a, in));
        case "search_nodes" -> graphResult(searchNodes(a, in));
        case "open_nodes" -> graphResult(openNodes(a, in));
        case "memory_write" -> write(a, in);
        case "memory_read" -> read(a, in);
        case "memory_search" -> search(a, in);
        case "memory_history" -> history(a, in);
        case "memory_revert" -> revert(a, in);
        case "memory_delete" -> delete(a, in);
        default -> throw new IllegalArgumentException("unknown tool: " + name);
      };
    } catch (Memory.Denied e) {
      return error("denied: " + e.getMessage());
    } catch (IllegalArgumentException | IllegalStateException e) {
      return error(e.getMessage());
    } catch (ConflictException e) {
      return error("memory is busy with concurrent changes to the same items; try again");
    } catch (StoreException e) {
      return error("memory store error: " + e.getMessage());
    }
  }

  // --- knowledge graph (server-memory's semantics) ---

  private ObjectNode createEntities(Actor a, JsonNode in) {
    String scope = scope(a, in);
    List<Memory.Change> changes = new ArrayList<>();
    ArrayNode created = JSON.arrayNode();
    Set<String> seen = new HashSet<>();
    for (JsonNode e : array(in, "entities")) {
      String name = str(e, "name");
      String type = str(e, "entityType");
      List<String> obs = strings(e, "observations");
      Optional<Entry> cur = memory.store().current(scope, ENTITY + name);
      if (cur.isPresent() && !cur.get().deleted() || !seen.add(name)) {
        continue; // server-memory keeps the existing entity
      }
      ObjectNode entity = entity(name, type, obs);
      changes.add(new Memory.Change(scope, ENTITY + name, Entry.PUT, Canonical.json(entity), entityText(entity),
          null, cur.map(Entry::version).orElse(0L), null));
      created.add(entity);
    }
    apply(a, changes);
    ObjectNode out = JSON.objectNode();
    out.set("entities", created);
    return result(out);
  }

  private ObjectNode createRelations(Actor a, JsonNode in) {
    String scope = scope(a, in);
    List<Memory.Change> changes = new ArrayList<>();
    ArrayNode created = JSON.arrayNode();
    Set<String> seen = new HashSet<>();
    for (JsonNode r : array(in, "relations")) {
      ObjectNode rel = relation(str(r, "from"), str(r, "to"), str(r, "relationType"));
      String key = relationKey(rel);
      Optional<Entry> cur = memory.store().current(scope, key);
      if (cur.isPresent() && !cur.get().deleted() || !seen.add(key)) {
        continue;
      }
      changes.add(new Memory.Change(scope, key, Entry.PUT, Canonical.json(rel), null, null,
          cur.map(Entry::version).orElse(0L), null));
      created.add(rel);
    }
    apply(a, changes);
    ObjectNode out = JSON.objectNode();
    out.set("relations", created);
    return result(out);
  }

  private ObjectNode addObservations(Actor a, JsonNode in) {
    EntityEdits edits = new EntityEdits(scope(a, in));
    ArrayNode results = JSON.arrayNode();
    for (JsonNode o : array(in, "observations")) {
      String name = str(o, "entityName");
      ObjectNode entity = edits.entity(name);
      if (entity == null) {
        throw new IllegalArgumentException("Entity with name " + name + " not found");
      }
      ArrayNode obs = (ArrayNode) entity.get("observations");
      Set<String> have = new HashSet<>();
      obs.forEach(x -> have.add(x.asString()));
      ArrayNode added = JSON.arrayNode();
      for (String c : strings(o, "contents")) {
        if (have.add(c)) {
          obs.add(c);
          added.add(c);
        }
      }
      ObjectNode r = results.addObject();
      r.put("entityName", name);
      r.set("addedObservations", added);
    }
    apply(a, edits.changes());
    ObjectNode out = JSON.objectNode();
    out.set("results", results);
    return result(out);
  }

  private ObjectNode deleteEntities(Actor a, JsonNode in) {
    String scope = scope(a, in);
    Set<String> names = new HashSet<>(strings(in, "entityNames"));
    List<Memory.Change> changes = new ArrayList<>();
    for (String name : names) {
      memory.store().current(scope, ENTITY + name).filter(e -> !e.deleted()).ifPresent(e ->
          changes.add(new Memory.Change(scope, e.key(), Entry.DELETE, null, null, null, e.version(), null)));
    }
    for (Entry r : memory.store().list(scope, RELATION, GRAPH_LIMIT)) {
      JsonNode rel = Memory.parse(r.content());
      if (names.contains(rel.path("from").asString()) || names.contains(rel.path("to").asString())) {
        changes.add(new Memory.Change(scope, r.key(), Entry.DELETE, null, null, null, r.version(), null));
      }
    }
    apply(a, changes);
    return ok("Entities deleted successfully");
  }

  private ObjectNode deleteObservations(Actor a, JsonNode in) {
    EntityEdits edits = new EntityEdits(scope(a, in));
    for (JsonNode d : array(in, "deletions")) {
      ObjectNode entity = edits.entity(str(d, "entityName"));
      if (entity == null) {
        continue; // server-memory ignores unknown entities here
      }
      Set<String> drop = new HashSet<>(strings(d, "observations"));
      ArrayNode kept = JSON.arrayNode();
      entity.get("observations").forEach(x -> {
        if (!drop.contains(x.asString())) {
          kept.add(x);
        }
      });
      entity.set("observations", kept);
    }
    apply(a, edits.changes());
    return ok("Observations deleted successfully");
  }

  /**
   * The entities one call edits: each read once (content, version and trust), edited in place, and written back as
   * one change that expects that version and keeps its trust.
   */
  private final class EntityEdits {
    private final String scope;
    private final Map<String, Entry> read = new LinkedHashMap<>();
    private final Map<String, ObjectNode> edited = new LinkedHashMap<>();

    EntityEdits(String scope) {
      this.scope = scope;
    }

    /** The entity being edited, read on first use; null when it does not exist. */
    ObjectNode entity(String name) {
      ObjectNode e = edited.get(name);
      if (e == null) {
        Optional<Entry> cur = memory.store().current(scope, ENTITY + name).filter(x -> !x.deleted());
        if (cur.isEmpty()) {
          return null;
        }
        read.put(name, cur.get());
        e = (ObjectNode) Memory.parse(cur.get().content());
        edited.put(name, e);
      }
      return e;
    }

    List<Memory.Change> changes() {
      List<Memory.Change> out = new ArrayList<>();
      edited.forEach((name, entity) -> out.add(new Memory.Change(scope, ENTITY + name, Entry.PUT,
          Canonical.json(entity), entityText(entity), read.get(name).trust(), read.get(name).version(), null)));
      return out;
    }
  }

  private ObjectNode deleteRelations(Actor a, JsonNode in) {
    String scope = scope(a, in);
    List<Memory.Change> changes = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (JsonNode r : array(in, "relations")) {
      String key = relationKey(relation(str(r, "from"), str(r, "to"), str(r, "relationType")));
      if (seen.add(key)) {
        memory.store().current(scope, key).filter(e -> !e.deleted()).ifPresent(e ->
            changes.add(new Memory.Change(scope, key, Entry.DELETE, null, null, null, e.version(), null)));
      }
    }
    apply(a, changes);
    return ok("Relations deleted successfully");
  }

  private ObjectNode readGraph(Actor a, JsonNode in) {
    String scope = scope(a, in);
    Memory.Read read = read(in);
    List<Memory.Item> entities = memory.list(a, scope, ENTITY, read, GRAPH_LIMIT);
    List<Memory.Item> relations = memory.list(a, scope, RELATION, read, GRAPH_LIMIT);
    return graph(entities, relations, null, entities.size() >= GRAPH_LIMIT || relations.size() >= GRAPH_LIMIT);
  }

  private ObjectNode searchNodes(Actor a, JsonNode in) {
    String scope = scope(a, in);
    String query = str(in, "query");
    Memory.Read read = read(in);
    List<Memory.Item> entities = memory.search(a, List.of(scope), ENTITY, query, read, GRAPH_LIMIT);
    return withRelations(a, scope, read, entities);
  }

  private ObjectNode openNodes(Actor a, JsonNode in) {
    String scope = scope(a, in);
    Memory.Read read = read(in);
    List<Memory.Item> entities = new ArrayList<>();
    for (String name : new java.util.LinkedHashSet<>(strings(in, "names"))) {
      memory.get(a, scope, ENTITY + name, read).ifPresent(entities::add);
    }
    return withRelations(a, scope, read, entities);
  }

  /** The entities plus every relation with at least one end among them (as server-memory answers). */
  private ObjectNode withRelations(Actor a, String scope, Memory.Read read, List<Memory.Item> entities) {
    Set<String> names = new HashSet<>();
    for (Memory.Item e : entities) {
      names.add(Memory.parse(e.entry().content()).path("name").asString());
    }
    List<Memory.Item> relations = memory.list(a, scope, RELATION, read, GRAPH_LIMIT);
    return graph(entities, relations, names, entities.size() >= GRAPH_LIMIT || relations.size() >= GRAPH_LIMIT);
  }

  private static ObjectNode graph(List<Memory.Item> entities, List<Memory.Item> relations, Set<String> ends,
      boolean truncated) {
    ObjectNode g = JSON.objectNode();
    ArrayNode es = g.putArray("entities");
    ArrayNode rs = g.putArray("relations");
    for (Memory.Item e : entities) {
      if (e.valid()) {
        ObjectNode entity = (ObjectNode) Memory.parse(e.entry().content());
        entity.set("aegis", label(e));
        es.add(entity);
      }
    }
    for (Memory.Item r : relations) {
      if (!r.valid()) {
        continue;
      }
      ObjectNode rel = (ObjectNode) Memory.parse(r.entry().content());
      if (ends == null || ends.contains(rel.path("from").asString()) || ends.contains(rel.path("to").asString())) {
        rel.set("aegis", label(r));
        rs.add(rel);
      }
    }
    if (truncated) {
      g.put("truncated", true);
    }
    return g;
  }

  /** What a graph reader learns about each node: who wrote it, its trust, and whether it verified. */
  private static ObjectNode label(Memory.Item item) {
    return JSON.objectNode().put("author", item.entry().author()).put("trust", item.entry().trust())
        .put("version", item.entry().version());
  }

  private static ObjectNode graphResult(ObjectNode graph) {
    return result(graph);
  }

  // --- document memory ---

  private ObjectNode write(Actor a, JsonNode in) {
    String scope = scope(a, in);
    String key = str(in, "key");
    JsonNode value = in.get("value");
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("'value' is required");
    }
    ObjectNode content = JSON.objectNode();
    content.set("value", value);
    String text = value.isString() ? value.asString() : Canonical.json(value);
    Entry e = memory.apply(a, List.of(Memory.Change.put(scope, DOC + key, Canonical.json(content), text))).get(0);
    ObjectNode out = Memory.view(memory.item(e));
    out.put("key", key);
    if (e.quarantined()) {
      out.put("note", "stored but quarantined: it reads as instructions and comes from an untrusted context;"
          + " readers will not be served it");
    }
    return result(out);
  }

  private ObjectNode read(Actor a, JsonNode in) {
    String scope = scope(a, in);
    String key = str(in, "key");
    Memory.Read read = read(in);
    Optional<Memory.Item> item;
    if (in.has("version")) {
      long v = in.path("version").asLong(0);
      item = memory.history(a, scope, DOC + key).stream().filter(i -> i.entry().version() == v).findFirst()
          .filter(i -> !i.entry().deleted() && i.entry().content() != null)
          .filter(i -> (!read.trustedOnly() || Memory.TRUSTED.equals(i.entry().trust())));
    } else {
      item = memory.get(a, scope, DOC + key, read);
    }
    if (item.isEmpty()) {
      Optional<Entry> raw = memory.store().current(scope, DOC + key).filter(e -> !e.deleted());
      if (raw.isPresent() && raw.get().quarantined() && !read.quarantined()) {
        return error("'" + key + "' is quarantined: it reads as instructions and was written from an untrusted"
            + " context (by " + raw.get().author() + "); it is not served as fact. An admin of '" + scope
            + "' can read it with includeQuarantined.");
      }
      if (raw.isPresent() && read.trustedOnly()) {
        return error("'" + key + "' was written from an untrusted context (by " + raw.get().author()
            + "); you asked for trusted memory only");
      }
      return error("no item '" + key + "' in scope '" + scope + "'");
    }
    if (!item.get().valid()) {
      return error("'" + key + "' fails verification (its signature or hash does not check out); it is not served");
    }
    ObjectNode out = Memory.view(item.get());
    out.put("key", key);
    out.set("value", Memory.parse(item.get().entry().content()).get("value"));
    return result(out);
  }

  private ObjectNode search(Actor a, JsonNode in) {
    String query = str(in, "query");
    int limit = Math.max(1, Math.min(100, in.path("limit").asInt(20)));
    List<String> scopes = in.has("scope") ? List.of(str(in, "scope")) : memory.scopes().readable(a);
    ArrayNode items = JSON.arrayNode();
    for (Memory.Item i : memory.search(a, scopes, DOC, query, read(in), limit)) {
      if (i.valid()) {
        ObjectNode o = Memory.view(i);
        o.put("key", i.entry().key().substring(DOC.length()));
        o.set("value", Memory.parse(i.entry().content()).get("value"));
        items.add(o);
      }
    }
    ObjectNode out = JSON.objectNode();
    out.set("items", items);
    return result(out);
  }

  private ObjectNode history(Actor a, JsonNode in) {
    String scope = scope(a, in);
    String key = str(in, "key");
    ArrayNode versions = JSON.arrayNode();
    for (Memory.Item i : memory.history(a, scope, DOC + key)) {
      ObjectNode o = Memory.view(i);
      o.put("key", key);
      if (i.entry().content() != null) {
        o.set("value", Memory.parse(i.entry().content()).get("value"));
      }
      versions.add(o);
    }
    if (versions.isEmpty()) {
      return error("no item '" + key + "' in scope '" + scope + "'");
    }
    ObjectNode out = JSON.objectNode();
    out.set("versions", versions);
    return result(out);
  }

  private ObjectNode revert(Actor a, JsonNode in) {
    String scope = scope(a, in);
    String key = str(in, "key");
    long version = in.path("version").asLong(0);
    if (version < 1) {
      throw new IllegalArgumentException("'version' must be a whole number from 1");
    }
    Entry e = memory.revert(a, scope, DOC + key, version);
    ObjectNode out = Memory.view(memory.item(e));
    out.put("key", key);
    return result(out);
  }

  private ObjectNode delete(Actor a, JsonNode in) {
    String scope = scope(a, in);
    String key = str(in, "key");
    Optional<Entry> cur = memory.store().current(scope, DOC + key).filter(e -> !e.deleted());
    if (cur.isEmpty()) {
      return error("no item '" + key + "' in scope '" + scope + "'");
    }
    Entry e = memory.apply(a, List.of(new Memory.Change(scope, DOC + key, Entry.DELETE, null, null, null,
        cur.get().version(), null))).get(0);
    ObjectNode out = Memory.view(memory.item(e));
    out.put("key", key);
    return result(out);
  }

  // --- agents that hold their own keys ---

  /** Where an agent puts its signature of a write request: {@code _meta["dev.aegis/signature"]}. */
  public static final String SIGNATURE_META = "dev.aegis/signature";
  static final java.util.Set<String> WRITES = java.util.Set.of("create_entities", "create_relations",
      "add_observations", "delete_entities", "delete_observations", "delete_relations", "memory_write",
      "memory_revert", "memory_delete");
  private static final long SIGNATURE_WINDOW_MS = 5 * 60_000;
  private static final int MAX_REMEMBERED = 100_000;
  /** Signatures used in the last window, so a captured request cannot be replayed. */
  private final Map<String, Long> usedSignatures = new java.util.concurrent.ConcurrentHashMap<>();

  private ObjectNode checkRequestSignature(String principal, String tool, JsonNode args, JsonNode meta) {
    JsonNode sig = meta == null ? null : meta.get(SIGNATURE_META);
    String how = " (" + principal + " holds its own key: put {time, signature} in _meta." + SIGNATURE_META
        + ", an Ed25519 signature over the canonical JSON of {principal, tool, arguments, time}; docs/memory.md)";
    if (sig == null || !sig.path("time").canConvertToLong() || !sig.path("signature").isString()) {
      throw new Memory.Denied("this write is not signed" + how);
    }
    long time = sig.path("time").asLong();
    long now = System.currentTimeMillis();
    if (Math.abs(now - time) > SIGNATURE_WINDOW_MS) {
      throw new Memory.Denied("the write's signature is more than 5 minutes from now" + how);
    }
    String key = memory.agentKey(principal);
    String keyId = Keys.keyIdOf(java.util.Base64.getDecoder().decode(key));
    String signature = sig.path("signature").asString();
    if (!Keys.verifyRaw(Keys.rawPublic(key), Memory.requestPayload(principal, tool, args, time), signature)) {
      throw new Memory.Denied("the write's signature does not verify with " + principal + "'s key" + how);
    }
    usedSignatures.values().removeIf(t -> t < now - 2 * SIGNATURE_WINDOW_MS);
    if (usedSignatures.size() >= MAX_REMEMBERED || usedSignatures.putIfAbsent(signature, now) != null) {
      throw new Memory.Denied("this signed request was already used (a replay)");
    }
    ObjectNode r = JSON.objectNode();
    r.put("keyId", keyId);
    r.put("principal", principal);
    r.put("tool", tool);
    r.set("arguments", args);
    r.put("time", time);
    r.put("signature", signature);
    return r;
  }

  // --- helpers ---

  private void apply(Actor a, List<Memory.Change> changes) {
    if (changes.size() > MAX_ITEMS_PER_CALL) {
      throw new IllegalArgumentException("at most " + MAX_ITEMS_PER_CALL + " items per call");
    }
    if (!changes.isEmpty()) {
      memory.apply(a, changes);
    }
  }

  /** Runs a read-modify-write; on a concurrent change to the same items it reads again and retries. */
  private static ObjectNode retry(Supplier<ObjectNode> op) {
    for (int i = 1; ; i++) {
      try {
        return op.get();
      } catch (ConflictException e) {
        if (i >= RETRIES) {
          throw e;
        }
      }
    }
  }

  private String scope(Actor a, JsonNode in) {
    JsonNode s = in.get("scope");
    if (s == null || s.isNull()) {
      return memory.scopes().defaultScope(a);
    }
    if (!s.isString() || s.asString().isEmpty()) {
      throw new IllegalArgumentException("'scope' must be a non-empty string");
    }
    return s.asString();
  }

  private static Memory.Read read(JsonNode in) {
    String min = in.path("minTrust").asString("any");
    if (!min.equals("any") && !min.equals("trusted")) {
      throw new IllegalArgumentException("'minTrust' must be 'any' or 'trusted'");
    }
    return new Memory.Read(min.equals("trusted"), in.path("includeQuarantined").asBoolean(false));
  }

  private static ObjectNode entity(String name, String type, List<String> observations) {
    ObjectNode e = JSON.objectNode();
    e.put("name", name);
    e.put("entityType", type);
    ArrayNode obs = e.putArray("observations");
    observations.forEach(obs::add);
    return e;
  }

  private static ObjectNode relation(String from, String to, String type) {
    return JSON.objectNode().put("from", from).put("to", to).put("relationType", type);
  }

  private static String relationKey(ObjectNode rel) {
    ArrayNode k = JSON.arrayNode().add(rel.path("from").asString()).add(rel.path("relationType").asString())
        .add(rel.path("to").asString());
    return RELATION + Canonical.json(k);
  }

  /** What search matches: the entity's name, type and observations, one per line. */
  private static String entityText(JsonNode entity) {
    StringBuilder b = new StringBuilder();
    b.append(entity.path("name").asString()).append('\n').append(entity.path("entityType").asString());
    entity.path("observations").forEach(o -> b.append('\n').append(o.asString()));
    return b.toString();
  }

  private static JsonNode array(JsonNode in, String field) {
    JsonNode v = in.get(field);
    if (v == null || !v.isArray()) {
      throw new IllegalArgumentException("'" + field + "' must be an array");
    }
    if (v.size() > MAX_ITEMS_PER_CALL) {
      throw new IllegalArgumentException("'" + field + "' has more than " + MAX_ITEMS_PER_CALL + " items");
    }
    return v;
  }

  private static String str(JsonNode in, String field) {
    JsonNode v = in.get(field);
    if (v == null || !v.isString()) {
      throw new IllegalArgumentException("'" + field + "' must be a string");
    }
    return v.asString();
  }

  private static List<String> strings(JsonNode in, String field) {
    JsonNode v = array(in, field);
    List<String> out = new ArrayList<>(v.size());
    for (JsonNode x : v) {
      if (!x.isString()) {
        throw new IllegalArgumentException("'" + field + "' must be an array of strings");
      }
      out.add(x.asString());
    }
    return out;
  }

  private static ObjectNode result(ObjectNode structured) {
    ObjectNode r = JSON.objectNode();
    r.putArray("content").addObject().put("type", "text").put("text", pretty(structured));
    r.set("structuredContent", structured);
    return r;
  }

  private static ObjectNode ok(String message) {
    return result(JSON.objectNode().put("success", true).put("message", message));
  }

  private static ObjectNode error(String message) {
    ObjectNode r = JSON.objectNode();
    r.putArray("content").addObject().put("type", "text").put("text", message);
    r.put("isError", true);
    return r;
  }

  private static String pretty(JsonNode node) {
    return JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(node);
  }

  private static ArrayNode load() {
    try (InputStream in = MemoryTools.class.getResourceAsStream("tools.json")) {
      if (in == null) {
        throw new IllegalStateException("tools.json missing from the jar");
      }
      return (ArrayNode) JsonMapper.shared().readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the memory tools: " + e.getMessage(), e);
    }
  }
}
