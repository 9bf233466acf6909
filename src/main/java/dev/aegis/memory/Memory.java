package dev.aegis.memory;

import dev.aegis.config.MemoryConfig;
import dev.aegis.pin.Canonical;
import dev.aegis.scan.Report;
import dev.aegis.scan.Scanner;
import dev.aegis.scan.Surface;
import dev.aegis.scan.Verdict;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Shared memory with rights, signatures, provenance and trust, on top of a {@link MemoryStore}. Every write is
 * checked against the writer's rights in the scope, labelled with the trust of the writer's context, scanned (text
 * that reads as instructions from an untrusted writer is quarantined), signed with the writer's key and appended to
 * the hash-chained log. Every read checks rights, recomputes the entry's hash and verifies its signature: an entry
 * that fails is never served as valid.
 *
 * <pre>{@code
 * Memory memory = new Memory(store, keys, config, Scanner.builtIn(), Clock.systemUTC());
 * memory.apply(actor, List.of(Memory.Change.put("team", "notes", "{\"value\":\"standup at 10\"}", "standup at 10")));
 * Optional<Memory.Item> notes = memory.get(actor, "team", "notes", Memory.Read.ANY);
 * }</pre>
 */
public final class Memory implements AutoCloseable {
  public static final String TRUSTED = "trusted";
  public static final String UNTRUSTED = "untrusted";

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final int VERIFIED_CACHE = 100_000;

  private final MemoryStore store;
  private final Keys keys;
  private final MemoryConfig config;
  private final Scopes scopes;
  private final Scanner scanner;
  private final Clock clock;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
  /** Hashes of entries whose signature was verified (an edited entry gets another hash, so it is checked again). */
  private final Set<String> verified = Collections.newSetFromMap(new LinkedHashMap<>(1024, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > VERIFIED_CACHE;
    }
  });

  /**
   * One change a writer asks for.
   *
   * @param keptTrust when the new content keeps content of the version it was derived from (e.g. an observation added
   *     to an entity), that version's trust: the new version is then no more trusted than it; null when the content
   *     is replaced outright. It belongs to the version {@code expectedVersion} names, so a concurrent change fails
   *     the append instead of being judged by another version's trust
   * @param expectedVersion see {@link Draft#expectedVersion()}
   * @param note extra provenance (may be null), e.g. what a revert restored
   */
  public record Change(String scope, String key, String op, String content, String text, String keptTrust,
      Long expectedVersion, ObjectNode note) {
    public static Change put(String scope, String key, String content, String text) {
      return new Change(scope, key, Entry.PUT, content, text, null, null, null);
    }

    public static Change delete(String scope, String key) {
      return new Change(scope, key, Entry.DELETE, null, null, null, null, null);
    }
  }

  /**
   * How to read.
   *
   * @param trustedOnly serve only items written from a trusted context
   * @param quarantined also serve quarantined items (needs the admin right on the scope)
   */
  public record Read(boolean trustedOnly, boolean quarantined) {
    public static final Read ANY = new Read(false, false);
    public static final Read TRUSTED_ONLY = new Read(true, false);
  }

  /** An entry as served: {@code valid} is false when its hash or signature does not check out. */
  public record Item(Entry entry, boolean valid) {}

  /** Thrown when the actor lacks a right; the message says which. */
  public static final class Denied extends RuntimeException {
    public Denied(String message) {
      super(message);
    }
  }

  public Memory(MemoryStore store, Keys keys, MemoryConfig config, Scanner scanner, Clock clock) {
    this.store = store;
    this.keys = keys;
    this.config = config;
    this.scopes = new Scopes(config);
    this.scanner = scanner;
    this.clock = clock;
    for (Map.Entry<String, String> k : config.agentKeys().entrySet()) {
      store.registerKey(Keys.keyIdOf(java.util.Base64.getDecoder().decode(k.getValue())), k.getKey(), k.getValue());
    }
  }

  /** The public key (X.509, base64) of an agent that holds its own key, or null when Aegis holds its key. */
  public String agentKey(String principal) {
    return config.agentKeys().get(principal);
  }

  /**
   * The bytes an agent with its own key signs for one memory tool call: RFC 8785 canonical JSON of
   * {@code {principal, tool, arguments, time}} (time in epoch milliseconds).
   */
  public static byte[] requestPayload(String principal, String tool, JsonNode arguments, long time) {
    ObjectNode o = JSON.objectNode();
    o.put("principal", principal);
    o.put("tool", tool);
    o.set("arguments", arguments == null ? JSON.objectNode() : arguments);
    o.put("time", time);
    return Canonical.bytes(o);
  }

  public Scopes scopes() {
    return scopes;
  }

  public MemoryStore store() {
    return store;
  }

  /** The trust of what {@code a} writes now: untrusted for configured principals and tainted sessions. */
  public String trustOf(Actor a) {
    return config.untrusted().contains(a.principal()) || !a.untrustedFrom().isEmpty() ? UNTRUSTED : TRUSTED;
  }

  /**
   * Appends {@code changes} atomically for {@code a}; {@link Denied} without the write right on a scope;
   * {@link ConflictException} when an expected version does not hold (nothing written).
   */
  public List<Entry> apply(Actor a, List<Change> changes) {
    List<Draft> drafts = new ArrayList<>(changes.size());
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    String writerTrust = trustOf(a);
    for (Change c : changes) {
      requireScope(c.scope());
      if (!scopes.may(a, Scopes.Right.WRITE, c.scope())) {
        throw new Denied(a.principal() + " may not write to scope '" + c.scope() + "'");
      }
      // content an untrusted writer wrote stays untrusted when someone adds to it
      String trust = UNTRUSTED.equals(c.keptTrust()) ? UNTRUSTED : writerTrust;
      ObjectNode provenance = JSON.objectNode();
      provenance.put("via", a.via());
      if (!a.untrustedFrom().isEmpty()) {
        provenance.put("untrustedFrom", a.untrustedFrom());
      }
      if (!a.privateFrom().isEmpty()) {
        provenance.put("privateFrom", a.privateFrom());
      }
      boolean quarantined = false;
      if (Entry.PUT.equals(c.op()) && UNTRUSTED.equals(trust) && config.quarantine()) {
        Report r = scanner.scanText(c.scope() + "/" + c.key(), c.text() != null ? c.text() : c.content(),
            Surface.OUTPUT);
        if (r.verdict() != Verdict.ALLOW) {
          quarantined = true;
          var rules = provenance.putArray("findings");
          r.findings().stream().map(f -> f.ruleId()).distinct().limit(10).forEach(rules::add);
        }
      }
      if (c.note() != null) {
        provenance.setAll(c.note());
      }
      // an agent with its own key signed the request; Aegis attests what it stored with its instance key
      String signer = a.principal();
      if (a.signedRequest() != null) {
        provenance.set("agentSigned", a.signedRequest());
        signer = Keys.INSTANCE;
      }
      Draft d = new Draft(c.scope(), c.key(), c.op(), c.content(), c.text(), a.principal(), a.session(), trust,
          quarantined, Canonical.json(provenance), now, keys.keyId(signer), null, c.expectedVersion());
      Keys.Signed s = keys.sign(signer, d.signingPayload());
      drafts.add(d.withSignature(s.keyId(), s.signature()));
    }
    List<Entry> written = store.append(drafts);
    checkpointIfDue(written);
    return written;
  }

  /** The current item at scope/key, if {@code a} may read it and it passes {@code read}'s filters. */
  public Optional<Item> get(Actor a, String scope, String key, Read read) {
    requireRead(a, scope, read);
    return store.current(scope, key).filter(e -> !e.deleted()).filter(e -> serves(e, read)).map(this::item);
  }

  /** Current items of a scope by key prefix. */
  public List<Item> list(Actor a, String scope, String prefix, Read read, int limit) {
    requireRead(a, scope, read);
    return served(store.list(scope, prefix, limit), read);
  }

  /** Current items in {@code scopes} whose text contains {@code query} (ignoring case). */
  public List<Item> search(Actor a, List<String> scopes, String prefix, String query, Read read, int limit) {
    for (String s : scopes) {
      requireRead(a, s, read);
    }
    return served(store.search(scopes, prefix, query, limit), read);
  }

  /** Every version of scope/key (quarantined ones only with the admin right), oldest first. */
  public List<Item> history(Actor a, String scope, String key) {
    requireRead(a, scope, Read.ANY);
    boolean admin = scopes.may(a, Scopes.Right.ADMIN, scope);
    List<Item> out = new ArrayList<>();
    for (Entry e : store.history(scope, key)) {
      out.add(item(admin || !e.quarantined() ? e : withoutContent(e)));
    }
    return out;
  }

  /** Writes version {@code version}'s content (or its deletion) as the new current version. */
  public Entry revert(Actor a, String scope, String key, long version) {
    Entry old = store.version(scope, key, version)
        .orElseThrow(() -> new IllegalArgumentException("no version " + version + " of " + scope + "/" + key));
    if (old.quarantined() && !scopes.may(a, Scopes.Right.ADMIN, scope)) {
      throw new Denied("version " + version + " is quarantined; reverting to it needs the admin right on '" + scope
          + "'");
    }
    if (!item(old).valid()) {
      throw new IllegalStateException("version " + version + " of " + scope + "/" + key
          + " fails verification; it is not restored");
    }
    ObjectNode note = JSON.objectNode().put("revertedTo", version);
    Change c = new Change(scope, key, old.op(), old.content(), old.text(), null, null, note);
    return apply(a, List.of(c)).get(0);
  }

  /** What {@link #revertPrincipal} did. */
  public record Reverted(int keys, List<Entry> written) {}

  /**
   * Rolls back everything {@code principal} wrote at or after {@code since}: each key it touched gets a new version
   * holding its last content not written by {@code principal} in that window (or a deletion when there is none).
   * History is kept. Runs as {@code operator} (the CLI's principal), which needs no rights: it holds the database.
   */
  public Reverted revertPrincipal(Actor operator, String principal, Instant since) {
    Map<String, String[]> touched = new LinkedHashMap<>();
    for (Entry e : store.writtenBy(principal, since)) {
      touched.putIfAbsent(e.scope() + "\u0000" + e.key(), new String[] {e.scope(), e.key()});
    }
    List<Draft> drafts = new ArrayList<>();
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    for (String[] sk : touched.values()) {
      List<Entry> versions = store.history(sk[0], sk[1]);
      Entry current = versions.get(versions.size() - 1);
      Entry keep = null;
      for (Entry e : versions) {
        boolean bad = e.author().equals(principal) && !e.time().isBefore(since);
        if (!bad && item(e).valid()) {
          keep = e;
        }
      }
      if (keep != null && keep.seq() == current.seq() || keep == null && current.deleted()) {
        continue; // already clean
      }
      ObjectNode note = JSON.objectNode().put("via", operator.via()).put("revertedPrincipal", principal)
          .put("since", since.toString());
      if (keep != null) {
        note.put("revertedTo", keep.version());
      }
      Draft d = new Draft(sk[0], sk[1], keep == null ? Entry.DELETE : keep.op(), keep == null ? null : keep.content(),
          keep == null ? null : keep.text(), operator.principal(), operator.session(),
          keep == null ? TRUSTED : keep.trust(), keep != null && keep.quarantined(), Canonical.json(note), now,
          keys.keyId(operator.principal()), null, current.version());
      Keys.Signed s = keys.sign(operator.principal(), d.signingPayload());
      drafts.add(d.withSignature(s.keyId(), s.signature()));
    }
    List<Entry> written = drafts.isEmpty() ? List.of() : store.append(drafts);
    checkpointIfDue(written);
    return new Reverted(touched.size(), written);
  }

  /** Checks an entry read from the store: its chain hash recomputes and its signature verifies. */
  public Item item(Entry e) {
    if (!Chain.hash(e).equals(e.hash())) {
      return new Item(e, false);
    }
    synchronized (verified) {
      if (verified.contains(e.hash())) {
        return new Item(e, true);
      }
    }
    boolean ok = keys.verify(e.keyId(), e.draft().signingPayload(), e.signature()) && agentSignatureHolds(e);
    if (ok) {
      synchronized (verified) {
        verified.add(e.hash());
      }
    }
    return new Item(e, ok);
  }

  /**
   * For an entry written at the request of an agent that holds its own key: the agent's signature over that request
   * verifies with the key recorded for the entry's author. Entries of agents whose key Aegis holds have none.
   */
  private boolean agentSignatureHolds(Entry e) {
    if (!e.provenance().contains("\"agentSigned\"")) {
      return true;
    }
    JsonNode r = parse(e.provenance()).path("agentSigned");
    if (!r.isObject()) {
      return true;
    }
    if (!e.author().equals(r.path("principal").asString())) {
      return false;
    }
    byte[] payload = requestPayload(e.author(), r.path("tool").asString(""), r.path("arguments"),
        r.path("time").asLong());
    // false as well when no key is recorded under keyId (Keys looks it up once and caches it)
    return keys.verify(r.path("keyId").asString(""), payload, r.path("signature").asString(""));
  }

  /** Signs a checkpoint of the log's head now (when it is not checkpointed yet). */
  public void checkpoint() {
    long head = store.head();
    if (head == 0) {
      return;
    }
    List<Checkpoint> cps = store.checkpoints();
    if (!cps.isEmpty() && cps.get(cps.size() - 1).seq() >= head) {
      return;
    }
    List<Entry> last = new ArrayList<>();
    store.scan(head, head, last::add);
    if (!last.isEmpty()) {
      store.checkpoint(signCheckpoint(last.get(0)));
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      checkpoint();
    } finally {
      store.close();
    }
  }

  /** The JSON view of an item that tools return: content plus who wrote it, when, trust and provenance. */
  public static ObjectNode view(Item item) {
    Entry e = item.entry();
    ObjectNode o = JSON.objectNode();
    o.put("scope", e.scope());
    o.put("key", e.key());
    o.put("version", e.version());
    o.put("author", e.author());
    if (e.session() != null) {
      o.put("session", e.session());
    }
    o.put("time", e.time().toString());
    o.put("trust", e.trust());
    o.put("quarantined", e.quarantined());
    o.put("signature", item.valid() ? "valid" : "INVALID");
    try {
      o.set("provenance", JsonMapper.shared().readTree(e.provenance()));
    } catch (RuntimeException ex) {
      o.put("provenance", e.provenance());
    }
    if (e.deleted()) {
      o.put("deleted", true);
    }
    return o;
  }

  static void requireScope(String scope) {
    if (scope == null || scope.isEmpty() || scope.length() > Draft.MAX_SCOPE) {
      throw new IllegalArgumentException("a scope is 1 to " + Draft.MAX_SCOPE + " characters");
    }
  }

  private void requireRead(Actor a, String scope, Read read) {
    requireScope(scope);
    if (!scopes.may(a, Scopes.Right.READ, scope)) {
      throw new Denied(a.principal() + " may not read scope '" + scope + "'");
    }
    if (read.quarantined() && !scopes.may(a, Scopes.Right.ADMIN, scope)) {
      throw new Denied("quarantined items of '" + scope + "' are for its admins only");
    }
  }

  private static boolean serves(Entry e, Read read) {
    return (!read.trustedOnly() || TRUSTED.equals(e.trust())) && (read.quarantined() || !e.quarantined());
  }

  private List<Item> served(List<Entry> entries, Read read) {
    List<Item> out = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      if (!e.deleted() && serves(e, read)) {
        out.add(item(e));
      }
    }
    return out;
  }

  private static Entry withoutContent(Entry e) {
    return new Entry(e.seq(), e.scope(), e.key(), e.version(), e.op(), null, null, e.author(), e.session(), e.trust(),
        e.quarantined(), e.provenance(), e.time(), e.keyId(), e.signature(), e.prevHash(), e.hash());
  }

  private void checkpointIfDue(List<Entry> written) {
    if (written.isEmpty()) {
      return;
    }
    Entry first = written.get(0);
    Entry last = written.get(written.size() - 1);
    int every = config.checkpointEvery();
    if (last.seq() / every > (first.seq() - 1) / every) {
      store.checkpoint(signCheckpoint(last));
    }
  }

  private Checkpoint signCheckpoint(Entry e) {
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    String keyId = keys.keyId(Keys.INSTANCE);
    Keys.Signed s = keys.sign(Keys.INSTANCE, checkpointPayload(e.seq(), e.hash(), now, keyId));
    return new Checkpoint(e.seq(), e.hash(), now, keyId, s.signature());
  }

  static byte[] checkpointPayload(long seq, String hash, Instant time, String keyId) {
    ObjectNode o = JSON.objectNode();
    o.put("seq", seq);
    o.put("hash", hash);
    o.put("time", time.toEpochMilli());
    o.put("keyId", keyId);
    return Canonical.bytes(o);
  }

  static JsonNode parse(String json) {
    return JsonMapper.shared().readTree(json);
  }
}
