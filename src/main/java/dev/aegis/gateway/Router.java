package dev.aegis.gateway;

import dev.aegis.chain.Chain;
import dev.aegis.chain.Direction;
import dev.aegis.chain.Exchange;
import dev.aegis.chain.Interceptor;
import dev.aegis.chain.Reply;
import dev.aegis.chain.Target;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.McpMethod;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.ProtocolVersion;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The terminal link of a session's chain. Towards servers it answers what the gateway owns (initialize, ping,
 * discovery, the aggregated lists) and routes the rest to the one upstream that owns the tool, prompt or resource,
 * restoring the name that server knows. Towards the host it delivers server notifications and server-initiated
 * requests.
 */
final class Router implements Interceptor {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private final GatewaySession session;
  private final Aggregator aggregator;

  Router(GatewaySession session) {
    this.session = session;
    this.aggregator = session.aggregator();
  }

  @Override
  public String name() {
    return "route";
  }

  /**
   * Whether routing this message may have to wait: for servers to start, or for a list the name is not in yet.
   * Cheap and conservative; such messages are run off the transport's thread.
   */
  static boolean mayBlock(GatewaySession session, Message message) {
    if (!(message instanceof Request r) || McpMethod.INITIALIZE.wire().equals(r.method())) {
      return false;
    }
    if (!session.upstreamsSettled()) {
      return !McpMethod.PING.wire().equals(r.method()); // anything but a ping may wait for the servers
    }
    McpMethod m = r.knownMethod();
    if (m == null) {
      return false;
    }
    Catalog c = session.catalog();
    ObjectNode params = r.params();
    return switch (m) {
      case TOOLS_CALL -> c.lookup(Catalog.Kind.TOOLS, Message.textOrNull(params, "name")) == null
          && !c.isFresh(Catalog.Kind.TOOLS);
      case PROMPTS_GET -> c.lookup(Catalog.Kind.PROMPTS, Message.textOrNull(params, "name")) == null
          && !c.isFresh(Catalog.Kind.PROMPTS);
      case RESOURCES_READ, RESOURCES_SUBSCRIBE, RESOURCES_UNSUBSCRIBE ->
          c.lookup(Catalog.Kind.RESOURCES, Message.textOrNull(params, "uri")) == null
              && (!c.isFresh(Catalog.Kind.RESOURCES) || !c.isFresh(Catalog.Kind.TEMPLATES));
      case COMPLETION_COMPLETE -> !c.isFresh(Catalog.Kind.PROMPTS) || !c.isFresh(Catalog.Kind.TEMPLATES);
      default -> false;
    };
  }

  /** Where a host message goes, decided before the chain runs so guards can see it; null for gateway-level ones. */
  static Target resolve(GatewaySession session, Message message) {
    if (!(message instanceof Request r)) {
      return null;
    }
    McpMethod m = r.knownMethod();
    if (m == null) {
      return null;
    }
    ObjectNode params = r.params();
    return switch (m) {
      case TOOLS_CALL -> named(session, Catalog.Kind.TOOLS, Message.textOrNull(params, "name"));
      case PROMPTS_GET -> named(session, Catalog.Kind.PROMPTS, Message.textOrNull(params, "name"));
      case RESOURCES_READ, RESOURCES_SUBSCRIBE, RESOURCES_UNSUBSCRIBE ->
          byUri(session, Message.textOrNull(params, "uri"));
      case COMPLETION_COMPLETE -> completionTarget(session, params);
      default -> null;
    };
  }

  private static Target named(GatewaySession session, Catalog.Kind kind, String name) {
    if (name == null) {
      return null;
    }
    Catalog catalog = session.catalog();
    Target t = catalog.lookup(kind, name);
    if (t == null && !catalog.isFresh(kind)) {
      session.aggregator().refreshNow(kind);
      t = catalog.lookup(kind, name);
    }
    return t;
  }

  private static Target byUri(GatewaySession session, String uri) {
    if (uri == null) {
      return null;
    }
    Catalog catalog = session.catalog();
    for (int attempt = 0; attempt < 2; attempt++) {
      Target t = catalog.lookup(Catalog.Kind.RESOURCES, uri);
      if (t != null) {
        return t;
      }
      String owner = catalog.templateOwner(uri);
      if (owner != null) {
        return new Target(owner, uri);
      }
      if (attempt == 0) {
        boolean stale = !catalog.isFresh(Catalog.Kind.RESOURCES) || !catalog.isFresh(Catalog.Kind.TEMPLATES);
        if (!stale) {
          break;
        }
        session.aggregator().refreshNow(Catalog.Kind.RESOURCES);
        session.aggregator().refreshNow(Catalog.Kind.TEMPLATES);
      }
    }
    // not listed anywhere: if exactly one server offers resources, it is the only one that could know the URI
    UpstreamConnection only = null;
    for (UpstreamConnection up : session.upstreams()) {
      if (up.has("resources")) {
        if (only != null) {
          return null;
        }
        only = up;
      }
    }
    return only == null ? null : new Target(only.name(), uri);
  }

  private static Target completionTarget(GatewaySession session, ObjectNode params) {
    JsonNode ref = params == null ? null : params.get("ref");
    String type = Message.textOrNull(ref, "type");
    if ("ref/prompt".equals(type)) {
      return named(session, Catalog.Kind.PROMPTS, Message.textOrNull(ref, "name"));
    }
    if ("ref/resource".equals(type)) {
      String uri = Message.textOrNull(ref, "uri");
      if (uri == null) {
        return null;
      }
      Target t = session.catalog().lookup(Catalog.Kind.TEMPLATES, uri);
      if (t == null && !session.catalog().isFresh(Catalog.Kind.TEMPLATES)) {
        session.aggregator().refreshNow(Catalog.Kind.TEMPLATES);
        t = session.catalog().lookup(Catalog.Kind.TEMPLATES, uri);
      }
      return t != null ? t : byUri(session, uri);
    }
    return null;
  }

  @Override
  public Reply intercept(Chain chain) {
    Exchange ex = chain.exchange();
    Message m = chain.message();
    if (ex.direction() == Direction.TO_CLIENT) {
      return toClient(ex, m);
    }
    if (m instanceof Notification n) {
      fromClientNotification(n);
      return Reply.none();
    }
    Request r = (Request) m;
    McpMethod method = r.knownMethod();
    if (method == null) {
      return unknown(r);
    }
    return switch (method) {
      case INITIALIZE -> initialize(r);
      case PING -> Reply.of(Response.result(r.id(), JSON.objectNode()));
      case SERVER_DISCOVER -> Reply.later(aggregator.discover(r));
      case TOOLS_LIST -> list(Catalog.Kind.TOOLS, r);
      case PROMPTS_LIST -> list(Catalog.Kind.PROMPTS, r);
      case RESOURCES_LIST -> list(Catalog.Kind.RESOURCES, r);
      case RESOURCES_TEMPLATES_LIST -> list(Catalog.Kind.TEMPLATES, r);
      case TOOLS_CALL -> routed(ex, r, "tool", "name", JsonRpcError.INVALID_PARAMS);
      case PROMPTS_GET -> routed(ex, r, "prompt", "name", JsonRpcError.INVALID_PARAMS);
      case RESOURCES_READ -> routed(ex, r, "resource", null, JsonRpcError.RESOURCE_NOT_FOUND);
      case RESOURCES_SUBSCRIBE, RESOURCES_UNSUBSCRIBE -> remember(ex, r,
          routed(ex, r, "resource", null, JsonRpcError.RESOURCE_NOT_FOUND));
      case COMPLETION_COMPLETE -> completion(ex, r);
      case LOGGING_SET_LEVEL -> {
        if (r.params() != null) {
          session.logLevel(r.params());
        }
        yield broadcastRequest(r, "logging");
      }
      default -> unknown(r);
    };
  }

  private Reply initialize(Request r) {
    if (session.isInitialized()) {
      return Reply.error(r, JsonRpcError.INVALID_REQUEST, "session is already initialized");
    }
    ObjectNode params = r.params() == null ? JSON.objectNode() : r.params();
    String requested = Message.textOrNull(params, "protocolVersion");
    if (requested == null) {
      return Reply.error(r, JsonRpcError.INVALID_PARAMS, "initialize needs params.protocolVersion");
    }
    ProtocolVersion version = ProtocolVersion.negotiate(requested);
    ObjectNode caps = Message.objectOrNull(params, "capabilities");
    ObjectNode clientInfo = Message.objectOrNull(params, "clientInfo");
    session.markInitialized(version);
    return Reply.later(session.startUpstreams(version, caps, clientInfo)
        .thenApply(v -> Response.result(r.id(), aggregator.initializeResult(version))));
  }

  private Reply list(Catalog.Kind kind, Request r) {
    session.ensureStarted();
    return Reply.later(aggregator.page(kind, r));
  }

  /** A request that names a tool, prompt or resource: to its server, under the name the server knows. */
  private Reply routed(Exchange ex, Request r, String what, String nameField, int notFoundCode) {
    Target t = ex.target();
    ObjectNode params = r.params();
    if (params == null) {
      return Reply.error(r, JsonRpcError.INVALID_PARAMS, r.method() + " needs params");
    }
    if (t == null) {
      String key = nameField != null ? Message.textOrNull(params, nameField) : Message.textOrNull(params, "uri");
      if (key == null) {
        return Reply.error(r, JsonRpcError.INVALID_PARAMS,
            r.method() + " needs params." + (nameField != null ? nameField : "uri") + " as a string");
      }
      if (notFoundCode == JsonRpcError.RESOURCE_NOT_FOUND) {
        ObjectNode data = JSON.objectNode();
        data.put("uri", key);
        return Reply.of(Response.error(r.id(), new JsonRpcError(notFoundCode, "Resource not found: " + key, data)));
      }
      return Reply.error(r, notFoundCode, "Unknown " + what + ": " + key);
    }
    UpstreamConnection up = session.upstream(t.server());
    Request out = r;
    if (nameField != null && !t.name().equals(Message.textOrNull(params, nameField))) {
      ObjectNode p = Message.shallowCopy(params);
      p.put(nameField, t.name());
      out = r.withParams(p);
    }
    return Reply.later(session.forward(up, out));
  }

  /** Notes a subscription change the server accepted, so it can be replayed if the server restarts. */
  private Reply remember(Exchange ex, Request r, Reply reply) {
    Target t = ex.target();
    if (t == null) {
      return reply;
    }
    boolean on = r.knownMethod() == McpMethod.RESOURCES_SUBSCRIBE;
    return reply.map(response -> {
      if (!response.isError()) {
        session.subscribed(t.server(), t.name(), on);
      }
      return response;
    });
  }

  private Reply completion(Exchange ex, Request r) {
    Target t = ex.target();
    ObjectNode params = r.params();
    if (t == null || params == null) {
      return Reply.error(r, JsonRpcError.INVALID_PARAMS, "completion/complete needs a ref to a known prompt or"
          + " resource template");
    }
    ObjectNode ref = Message.objectOrNull(params, "ref");
    Request out = r;
    if ("ref/prompt".equals(Message.textOrNull(ref, "type")) && !t.name().equals(Message.textOrNull(ref, "name"))) {
      ObjectNode newRef = Message.shallowCopy(ref);
      newRef.put("name", t.name());
      ObjectNode p = Message.shallowCopy(params);
      p.set("ref", newRef);
      out = r.withParams(p);
    }
    return Reply.later(session.forward(session.upstream(t.server()), out));
  }

  /** Sends the request to every ready server with the capability; answers an empty result once all did. */
  private Reply broadcastRequest(Request r, String capability) {
    session.ensureStarted();
    List<CompletableFuture<Response>> all = new ArrayList<>();
    for (UpstreamConnection up : session.upstreams()) {
      if (up.state() == UpstreamState.READY && up.has(capability)) {
        all.add(up.send(r));
      }
    }
    return Reply.later(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(v -> Response.result(r.id(), JSON.objectNode())));
  }

  /** A method MCP does not define: forwarded intact when only one server could be meant. */
  private Reply unknown(Request r) {
    session.ensureStarted();
    List<UpstreamConnection> ups = session.upstreams();
    if (ups.size() == 1) {
      return Reply.later(session.forward(ups.get(0), r));
    }
    return Reply.error(r, JsonRpcError.METHOD_NOT_FOUND, "Method not found: " + r.method()
        + (ups.isEmpty() ? "" : " (Aegis cannot tell which of " + ups.size() + " servers should answer it)"));
  }

  private void fromClientNotification(Notification n) {
    McpMethod m = n.knownMethod();
    if (m == McpMethod.INITIALIZED) {
      return; // each upstream got its own during startup
    }
    if (m == McpMethod.CANCELLED) {
      JsonNode id = n.params() == null ? null : n.params().get("requestId");
      if (id != null) {
        try {
          session.cancelFromClient(RequestId.fromJson(id), Message.textOrNull(n.params(), "reason"));
        } catch (IllegalArgumentException ignored) {
          // not an id: nothing to cancel
        }
      }
      return;
    }
    if (m == McpMethod.PROGRESS) {
      UpstreamConnection target = session.progressTarget(n.params() == null ? null : n.params().get("progressToken"));
      if (target != null) {
        target.notify(n);
      } else {
        session.gateway().log().debug("session " + session.id() + ": progress from the host for no pending request");
      }
      return;
    }
    for (UpstreamConnection up : session.upstreams()) {
      up.notify(n);
    }
  }

  private Reply toClient(Exchange ex, Message m) {
    UpstreamConnection up = session.upstream(ex.target().server());
    if (m instanceof Request r) {
      return session.sendToClient(up, r, session.relatedRequest(up, null));
    }
    Notification n = (Notification) m;
    JsonNode token = n.knownMethod() == McpMethod.PROGRESS && n.params() != null
        ? n.params().get("progressToken") : null;
    RequestId related = session.relatedRequest(up, token);
    if (n.knownMethod() == McpMethod.CANCELLED) {
      n = session.translateServerCancel(up, n);
      if (n == null) {
        return Reply.none();
      }
    }
    session.notifyClient(n, related);
    return Reply.none();
  }

  /** Bounded wait used when a route needs a fresh list before the chain runs. */
  static <T> T await(CompletableFuture<T> f, long millis) {
    try {
      return f.get(millis, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      return null;
    }
  }

  static ArrayNode array(List<JsonNode> items) {
    ArrayNode a = JSON.arrayNode(items.size());
    a.addAll(items);
    return a;
  }
}
