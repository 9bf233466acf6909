package dev.aegis.gateway;

import dev.aegis.chain.Direction;
import dev.aegis.chain.Exchange;
import dev.aegis.chain.Reply;
import dev.aegis.chain.Target;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.MetaKeys;
import dev.aegis.protocol.ProtocolVersion;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the gateway answers for all its servers at once: the initialize result (capabilities as the union of the
 * servers'), discovery, and the aggregated, namespaced lists, paginated with the gateway's own cursors.
 */
final class Aggregator {
  /** Upper bound on pages read from one server for one list, against a server that never stops paging. */
  static final int MAX_PAGES = 1000;
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final GatewaySession session;
  private final AtomicLong nextId = new AtomicLong(1);
  private final Set<String> reportedConflicts = java.util.concurrent.ConcurrentHashMap.newKeySet();

  Aggregator(GatewaySession session) {
    this.session = session;
  }

  /** Lists every page of {@code kind} from every ready server and rebuilds the catalog. Never fails. */
  CompletableFuture<Catalog.Listing> refresh(Catalog.Kind kind) {
    List<CompletableFuture<Catalog.ServerItems>> parts = new ArrayList<>();
    for (UpstreamConnection up : session.upstreams()) {
      if (up.state() == UpstreamState.READY && up.has(kind.capability)) {
        parts.add(fetchAll(up, kind));
      }
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
      List<Catalog.ServerItems> all = new ArrayList<>();
      for (CompletableFuture<Catalog.ServerItems> p : parts) {
        all.add(p.join());
      }
      return session.catalog().build(kind, all, this::conflict);
    });
  }

  /** {@link #refresh} and wait (bounded by the request timeout); used when routing needs the names. */
  void refreshNow(Catalog.Kind kind) {
    session.ensureStarted();
    Router.await(refresh(kind), session.gateway().config().requestTimeout().toMillis());
  }

  private void conflict(String message) {
    if (reportedConflicts.add(message)) {
      session.gateway().log().warn("session " + session.id() + ": " + message);
    }
  }

  private CompletableFuture<Catalog.ServerItems> fetchAll(UpstreamConnection up, Catalog.Kind kind) {
    List<JsonNode> items = new ArrayList<>();
    CompletableFuture<Catalog.ServerItems> done = new CompletableFuture<>();
    fetchPage(up, kind, null, items, new HashSet<>(), done);
    return done;
  }

  private void fetchPage(UpstreamConnection up, Catalog.Kind kind, String cursor, List<JsonNode> items,
      Set<String> seen, CompletableFuture<Catalog.ServerItems> done) {
    ObjectNode params = null;
    if (cursor != null) {
      params = JSON.objectNode();
      params.put("cursor", cursor);
    }
    Request req = Request.of(RequestId.of("aegis-" + nextId.getAndIncrement()), kind.method, params);
    Exchange ex = new Exchange(session.info(), Direction.TO_SERVER, req, new Target(up.name(), null),
        System.nanoTime(), up.initializeResult());
    Reply reply = session.forwardPipeline().send(ex);
    reply.whenReady(r -> {
      if (r.isError()) {
        session.gateway().log().warn("upstream " + up.name() + ": " + kind.method + " failed: " + r.error().message());
        done.complete(new Catalog.ServerItems(up.name(), up.config().prefix(), items));
        return;
      }
      JsonNode list = r.result().path(kind.field);
      if (list.isArray()) {
        list.forEach(items::add);
      }
      String next = Message.textOrNull(r.result(), "nextCursor");
      if (next == null || next.isEmpty() || !seen.add(next) || seen.size() >= MAX_PAGES) {
        done.complete(new Catalog.ServerItems(up.name(), up.config().prefix(), items));
      } else {
        fetchPage(up, kind, next, items, seen, done);
      }
    });
  }

  /** Answers a host's list request: a fresh full listing, or the next page of the last one. */
  CompletableFuture<Response> page(Catalog.Kind kind, Request r) {
    String cursor = Message.textOrNull(r.params(), "cursor");
    int pageSize = session.gateway().config().pageSize();
    if (cursor == null) {
      return refresh(kind).thenApply(listing -> pageOf(kind, r, listing, 0, pageSize));
    }
    int offset = decodeCursor(kind, cursor);
    Catalog.Listing listing = session.catalog().listing(kind);
    if (pageSize == 0 || offset < 0 || offset > listing.items().size()) {
      return CompletableFuture.completedFuture(Response.error(r.id(),
          JsonRpcError.of(JsonRpcError.INVALID_PARAMS, "invalid cursor for " + kind.method)));
    }
    return CompletableFuture.completedFuture(pageOf(kind, r, listing, offset, pageSize));
  }

  private Response pageOf(Catalog.Kind kind, Request r, Catalog.Listing listing, int offset, int pageSize) {
    List<JsonNode> items = listing.items();
    int end = pageSize == 0 ? items.size() : Math.min(items.size(), offset + pageSize);
    ObjectNode result = JSON.objectNode();
    result.set(kind.field, Router.array(items.subList(offset, end)));
    if (end < items.size()) {
      result.put("nextCursor", encodeCursor(kind, end));
    }
    return Response.result(r.id(), result);
  }

  private static String encodeCursor(Catalog.Kind kind, int offset) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((kind.name() + ":" + offset).getBytes(StandardCharsets.UTF_8));
  }

  private static int decodeCursor(Catalog.Kind kind, String cursor) {
    try {
      String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      String prefix = kind.name() + ":";
      return s.startsWith(prefix) ? Integer.parseInt(s.substring(prefix.length())) : -1;
    } catch (IllegalArgumentException e) {
      return -1;
    }
  }

  /** The union of the ready servers' capabilities, as the gateway's own. */
  ObjectNode capabilities() {
    ObjectNode caps = JSON.objectNode();
    boolean anyReady = false;
    boolean subscribe = false;
    for (UpstreamConnection up : session.upstreams()) {
      if (up.state() != UpstreamState.READY) {
        continue;
      }
      anyReady = true;
      for (Map.Entry<String, JsonNode> e : up.capabilities().properties()) {
        String key = e.getKey();
        JsonNode value = e.getValue();
        if (key.equals("resources") && value.path("subscribe").asBoolean(false)) {
          subscribe = true;
        }
        if (!caps.has(key)) {
          caps.set(key, value.isObject() ? value.deepCopy() : value);
        } else if (caps.get(key) instanceof ObjectNode merged && value instanceof ObjectNode more) {
          for (Map.Entry<String, JsonNode> inner : more.properties()) {
            if (!merged.has(inner.getKey())) {
              merged.set(inner.getKey(), inner.getValue());
            }
          }
        }
      }
    }
    for (String kind : List.of("tools", "prompts", "resources")) {
      if (!anyReady || caps.has(kind)) {
        ObjectNode k = caps.has(kind) && caps.get(kind).isObject() ? (ObjectNode) caps.get(kind) : JSON.objectNode();
        // the gateway announces changes itself (a server restarts, a late server arrives)
        k.put("listChanged", true);
        caps.set(kind, k);
      }
    }
    if (caps.get("resources") instanceof ObjectNode res) {
      res.put("subscribe", subscribe);
    }
    return caps;
  }

  ObjectNode serverInfo() {
    ObjectNode info = JSON.objectNode();
    info.put("name", "aegis");
    info.put("title", "Aegis MCP gateway");
    info.put("version", Gateway.VERSION);
    return info;
  }

  /** The ready servers' instructions, each under its server's name when there are several. */
  String instructions() {
    List<UpstreamConnection> ups = session.upstreams();
    StringBuilder b = new StringBuilder();
    for (UpstreamConnection up : ups) {
      JsonNode init = up.initializeResult();
      String text = init == null ? null : Message.textOrNull(init, "instructions");
      if (text == null || text.isBlank()) {
        continue;
      }
      if (ups.size() == 1) {
        return text;
      }
      if (b.length() > 0) {
        b.append("\n\n");
      }
      String prefix = up.config().prefix();
      b.append("## Server ").append(up.name());
      if (!prefix.isEmpty()) {
        b.append(" (its tools and prompts are named ").append(prefix).append(Names.SEPARATOR).append("...)");
      }
      b.append("\n").append(text);
    }
    return b.length() == 0 ? null : b.toString();
  }

  ObjectNode initializeResult(ProtocolVersion version) {
    ObjectNode result = JSON.objectNode();
    result.put("protocolVersion", version.wire());
    result.set("capabilities", capabilities());
    result.set("serverInfo", serverInfo());
    String instructions = instructions();
    if (instructions != null) {
      result.put("instructions", instructions);
    }
    return result;
  }

  /** The 2026-07-28 {@code server/discover} result. */
  CompletableFuture<Response> discover(Request r) {
    session.ensureStarted();
    ObjectNode result = JSON.objectNode();
    result.put("resultType", "complete");
    ArrayNode versions = result.putArray("supportedVersions");
    versions.add(ProtocolVersion.V2026_07_28.wire());
    result.set("capabilities", capabilities());
    String instructions = instructions();
    if (instructions != null) {
      result.put("instructions", instructions);
    }
    result.put("ttlMs", 0);
    result.put("cacheScope", "private");
    ObjectNode meta = result.putObject("_meta");
    meta.set(MetaKeys.SERVER_INFO, serverInfo());
    return CompletableFuture.completedFuture(Response.result(r.id(), result));
  }
}
