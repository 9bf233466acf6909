package dev.aegis.pin;

import dev.aegis.chain.Chain;
import dev.aegis.chain.Decision;
import dev.aegis.chain.Direction;
import dev.aegis.chain.Exchange;
import dev.aegis.chain.Interceptor;
import dev.aegis.chain.Reply;
import dev.aegis.chain.Target;
import dev.aegis.config.PinConfig;
import dev.aegis.config.ServerConfig;
import dev.aegis.gateway.Names;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.Response;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The lockfile as a link of the gateway's chain: every tool, prompt and resource template a server lists (on
 * connect, on every {@code list_changed}, on every re-list, in every session) is fingerprinted, bound to the
 * server's identity, and compared with what {@code aegis.lock} approved. A new or changed definition is
 * <em>held</em>: hidden from the host, recorded under {@code held} in the lockfile with the semantic diff's class,
 * audited as a {@code pin} decision, and a call to it is refused with an error that says how to approve it.
 *
 * <ul>
 *   <li>{@code tofu}: a server missing from the lockfile is pinned as first seen; later changes are held.
 *   <li>{@code hold}: a server missing from the lockfile has everything held until approved.
 *   <li>{@code strict}: a server missing from the lockfile is refused outright.
 *   <li>{@code require}: a server whose {@code serverInfo.version} is outside the configured range is refused.
 *   <li>Signatures: see {@link ManifestCheck}.
 * </ul>
 *
 * <pre>{@code
 * PinGuard pin = new PinGuard(config.pin(), config.servers(), PinGuard.lockfile(config.pin(), home));
 * Gateway gw = new Gateway(config, List.of(scan, pin), audit, log);   // pin inside scan: it sees every definition
 * pin.watch(gw::definitionsChanged);             // approvals show up without a restart
 * }</pre>
 */
public final class PinGuard implements Interceptor, AutoCloseable {
  public static final String TOFU = "trust-on-first-use";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Set<String> CALLS = Set.of("tools/call", "prompts/get");

  private final PinConfig config;
  private final Map<String, ServerConfig> servers = new LinkedHashMap<>();
  private final PinStore store;
  private final ManifestCheck signatures;
  /** "server\0kind\0name" → why it is held, for calls to it; host-visible name → the same. */
  private final Map<String, String> held = new ConcurrentHashMap<>();
  private final Map<String, String> heldByHostName = new ConcurrentHashMap<>();
  /** server → why it is refused (strict mode, version requirement, signature policy). */
  private final Map<String, String> refused = new ConcurrentHashMap<>();

  public PinGuard(PinConfig config, List<ServerConfig> servers, Path lockfile) {
    this.config = config;
    servers.forEach(s -> this.servers.put(s.name(), s));
    this.store = new PinStore(lockfile);
    this.signatures = new ManifestCheck(config);
  }

  /** The lockfile path the settings name, or {@code home/aegis.lock}. */
  public static Path lockfile(PinConfig config, Path home) {
    return config.lockfile() != null ? config.lockfile() : home.resolve("aegis.lock");
  }

  public PinStore store() {
    return store;
  }

  /** Calls {@code onChange} when someone else changes the lockfile (an approval), so sessions can re-list. */
  public void watch(Runnable onChange) {
    store.watch(onChange, 1000);
  }

  @Override
  public String name() {
    return "pin";
  }

  @Override
  public Reply intercept(Chain chain) {
    Exchange ex = chain.exchange();
    Message m = chain.message();
    if (ex.direction() != Direction.TO_SERVER || !(m instanceof Request r)) {
      return chain.proceed(m);
    }
    Target target = ex.target();
    Lockfile.Kind kind = Lockfile.Kind.ofListMethod(r.method());
    if (kind != null && target != null && target.name() == null) {
      return chain.proceed(m).map(resp -> resp.isError() ? resp : listed(ex, target.server(), kind, resp));
    }
    if (CALLS.contains(r.method())) {
      String why = whyRefused(r, target);
      if (why != null) {
        ex.record(new Decision(name(), "block", why));
        ObjectNode data = NODES.objectNode();
        data.put("reason", "pin");
        return Reply.of(Response.error(r.id(), new JsonRpcError(JsonRpcError.BLOCKED, why, data)));
      }
    }
    return chain.proceed(m);
  }

  private String whyRefused(Request r, Target target) {
    Lockfile.Kind kind = r.method().equals("tools/call") ? Lockfile.Kind.TOOL : Lockfile.Kind.PROMPT;
    if (target != null) {
      String why = refused.get(target.server());
      if (why != null) {
        return why;
      }
      return target.name() == null ? null : held.get(key(target.server(), kind, target.name()));
    }
    String name = r.params() == null ? null : Message.textOrNull(r.params(), "name");
    if (name == null) {
      return null;
    }
    String why = heldByHostName.get(kind.section() + "\u0000" + name);
    if (why != null) {
      return why;
    }
    // not listed at all: a refused server lists nothing, so tell by its prefix
    for (Map.Entry<String, String> e : refused.entrySet()) {
      ServerConfig cfg = servers.get(e.getKey());
      if (cfg != null && !cfg.prefix().isEmpty() && name.startsWith(cfg.prefix() + Names.SEPARATOR)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static String key(String server, Lockfile.Kind kind, String name) {
    return server + "\u0000" + kind.section() + "\u0000" + name;
  }

  /** One page of one server's list: the approved items pass, the rest are held (or the server refused). */
  private Response listed(Exchange ex, String server, Lockfile.Kind kind, Response resp) {
    JsonNode items = resp.result().path(kind.section());
    ServerConfig cfg = servers.get(server);
    if (!items.isArray() || cfg == null) {
      return resp;
    }
    Identity id = Identity.of(cfg, ex.upstreamInitialize());
    String protocol = ex.upstreamInitialize() == null ? null
        : ex.upstreamInitialize().path("protocolVersion").asString(null);
    List<JsonNode> list = new ArrayList<>();
    items.forEach(list::add);

    String refusal = versionRefusal(server, id);
    ManifestCheck.Verdict signed = refusal == null ? signatures.check(server, kind, list, resp.result().path("_meta"))
        : null;
    if (signed != null && signed.refuse()) {
      refusal = signed.why();
    }
    if (refusal != null) {
      refused.put(server, refusal);
      ex.record(new Decision(name(), "block", refusal));
      return resp.withResultMember(kind.section(), NODES.arrayNode());
    }
    if (signed.why() != null) {
      ex.record(new Decision(name(), signed.hold() ? "hold" : "allow", signed.why()));
    }
    String holdUnsigned = signed.hold() ? signed.why() : null;
    // the steady state (everything approved, nothing to record) needs no lock and no write
    Outcome outcome = holdUnsigned == null && allApproved(store.snapshot(), server, id, kind, list)
        ? Outcome.CLEAR
        : store.update(lock -> evaluate(lock, server, cfg, id, protocol, kind, list, holdUnsigned));
    if (outcome.refusal() != null) {
      refused.put(server, outcome.refusal());
      ex.record(new Decision(name(), "block", outcome.refusal()));
      return resp.withResultMember(kind.section(), NODES.arrayNode());
    }
    refused.remove(server);
    ArrayNode kept = NODES.arrayNode();
    for (JsonNode item : list) {
      String n = kind.nameOf(item);
      String why = outcome.held().get(n);
      String hostName = kind == Lockfile.Kind.TEMPLATE ? n : Names.expose(cfg.prefix(), n);
      if (why == null) {
        held.remove(key(server, kind, n));
        heldByHostName.remove(kind.section() + "\u0000" + hostName);
        kept.add(item);
      } else {
        held.put(key(server, kind, n), why);
        heldByHostName.put(kind.section() + "\u0000" + hostName, why);
        ex.record(new Decision(name(), "hold", why));
      }
    }
    if (outcome.pinned() > 0) {
      ex.record(new Decision(name(), "pin", outcome.pinned() + " " + kind.section() + " of '" + server
          + "' pinned on first use in " + store.file()));
    }
    return kept.size() == list.size() ? resp : resp.withResultMember(kind.section(), kept);
  }

  private String versionRefusal(String server, Identity id) {
    String range = config.require().get(server);
    if (range == null) {
      return null;
    }
    VersionRange wanted = VersionRange.parse(range);
    SemVer v = id.serverVersion() == null ? null : SemVer.tryParse(id.serverVersion()).orElse(null);
    if (v != null && wanted.matches(v)) {
      return null;
    }
    return "server '" + server + "' is refused: the configuration requires version " + range + " (pin.require), and"
        + " it reports " + (id.serverVersion() == null ? "no version" : "version " + id.serverVersion())
        + " in serverInfo";
  }

  /** The verdict on one listing: names held (with why), how many were newly pinned, or why the server is refused. */
  private record Outcome(Map<String, String> held, int pinned, String refusal) {
    static final Outcome CLEAR = new Outcome(Map.of(), 0, null);
  }

  /** Every item is approved as it is, under the same identity, and nothing about it waits in the lockfile. */
  private static boolean allApproved(Lockfile lock, String serverName, Identity id, Lockfile.Kind kind,
      List<JsonNode> items) {
    Lockfile.Server s = lock.server(serverName);
    if (s == null || !s.identity().sameAs(id) || s.heldIdentity() != null || !s.seen(kind)) {
      return false;
    }
    for (JsonNode item : items) {
      String n = kind.nameOf(item);
      Lockfile.Pin pin = s.pins(kind).get(n);
      if (pin == null || s.held(kind).containsKey(n) || !pin.fingerprint().equals(Fingerprints.of(id, kind, item))) {
        return false;
      }
    }
    return true;
  }

  private PinStore.Result<Outcome> evaluate(Lockfile lock, String serverName, ServerConfig cfg, Identity id,
      String protocol, Lockfile.Kind kind, List<JsonNode> items, String holdAll) {
    Lockfile.Server s = lock.server(serverName);
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    Map<String, String> heldNow = new LinkedHashMap<>();
    boolean dirty = false;
    if (s == null) {
      switch (config.mode()) {
        case "strict" -> {
          return new PinStore.Result<>(false, new Outcome(Map.of(), 0, "server '" + serverName + "' is refused: it"
              + " is not in the lockfile " + store.file() + " and pin.mode is strict. Review it, then record it with"
              + " `aegis pin --server " + serverName + "`"));
        }
        case "tofu" -> {
          s = new Lockfile.Server(id, protocol);
          lock.put(serverName, s);
          dirty = true;
        }
        default -> {
          s = new Lockfile.Server(id, protocol);
          lock.put(serverName, s);
          dirty = true;
        }
      }
    }
    boolean identityChanged = !s.identity().sameAs(id);
    if (config.mode().equals("tofu") && !identityChanged && holdAll == null && !s.seen(kind)) {
      // first sight of this kind of definition from this server: pin what it offers as it is
      for (JsonNode item : items) {
        s.pins(kind).put(kind.nameOf(item), new Lockfile.Pin(Fingerprints.of(id, kind, item),
            Fingerprints.version(item, id), new Lockfile.Approval(TOFU, now), item));
      }
      s.markSeen(kind);
      return new PinStore.Result<>(true, new Outcome(Map.of(), items.size(), null));
    }
    if (!s.seen(kind)) {
      s.markSeen(kind);
      dirty = true;
    }
    if (identityChanged && !id.sameAs(s.heldIdentity())) {
      s.heldIdentity(id);
      dirty = true;
    }
    if (!identityChanged && s.protocolVersion() == null && protocol != null) {
      s.protocolVersion(protocol);
      dirty = true;
    }
    for (JsonNode item : items) {
      String n = kind.nameOf(item);
      String fp = Fingerprints.of(identityChanged ? s.identity() : id, kind, item);
      Lockfile.Pin pin = s.pins(kind).get(n);
      if (!identityChanged && holdAll == null && pin != null && pin.fingerprint().equals(fp)) {
        if (s.held(kind).remove(n) != null) {
          dirty = true;
        }
        continue;
      }
      String version = Fingerprints.version(item, id);
      Lockfile.Held prior = s.held(kind).get(n);
      String liveFp = Fingerprints.of(id, kind, item);
      Lockfile.Held h = prior != null && prior.fingerprint().equals(liveFp) ? prior
          : Fingerprints.held(kind, pin, item, liveFp, version, now, identityChanged ? s.identity() : null, id,
              holdAll);
      if (prior == null || !prior.fingerprint().equals(liveFp)) {
        s.held(kind).put(n, h);
        dirty = true;
      }
      heldNow.put(n, kind.label() + " '" + serverName + "/" + n + "' is held: " + String.join("; ", h.reasons())
          + ". Review with `aegis diff --held " + serverName + "/" + n + "`, approve with `aegis approve "
          + serverName + "/" + n + "`");
    }
    return new PinStore.Result<>(dirty, new Outcome(heldNow, 0, null));
  }

  @Override
  public void close() {
    store.close();
  }
}
