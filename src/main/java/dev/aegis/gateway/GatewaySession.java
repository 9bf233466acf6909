package dev.aegis.gateway;

import dev.aegis.chain.Direction;
import dev.aegis.chain.Exchange;
import dev.aegis.chain.Pipeline;
import dev.aegis.chain.Reply;
import dev.aegis.chain.SessionInfo;
import dev.aegis.chain.Target;
import dev.aegis.config.ServerConfig;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.McpMethod;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.ProtocolVersion;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import dev.aegis.transport.ClientPort;
import dev.aegis.transport.ServerSession;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * One downstream session: a host connected over stdio or HTTP, with its own connection to every upstream server
 * (so server state, subscriptions and server-initiated requests never cross between hosts). Every request and
 * notification in either direction goes through the session's {@link Pipeline}, whose terminal link is the
 * {@link Router}.
 */
public final class GatewaySession implements ServerSession {
  private final String id;
  private final Gateway gateway;
  private final ClientPort port;
  private final SessionInfo info;
  private final Pipeline pipeline;
  private final Pipeline forwardPipeline;
  private final Catalog catalog = new Catalog();
  private final Aggregator aggregator;
  private final Modern modern = new Modern(this);
  private final Map<String, UpstreamConnection> upstreams = new LinkedHashMap<>();
  private final Map<RequestId, InFlight> inFlight = new ConcurrentHashMap<>();
  private final HostRequests hostRequests;
  private final java.util.Set<RequestId> cancelledRequests = ConcurrentHashMap.newKeySet();
  /** Where messages related to a request go when it came through a per-request view (stateless HTTP). */
  private final Map<RequestId, ClientPort> replyPorts = new ConcurrentHashMap<>();
  /** Host messages waiting for a worker, in arrival order (see {@link #dispatch}). */
  private final java.util.ArrayDeque<Runnable> backlog = new java.util.ArrayDeque<>();
  private boolean draining;
  /** What the host set up on each server, replayed when that server restarts: subscribed URIs, the log level. */
  private final Map<String, java.util.Set<String>> subscriptions = new ConcurrentHashMap<>();
  private volatile ObjectNode logLevel;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile boolean initialized;
  private volatile ProtocolVersion protocolVersion = ProtocolVersion.LATEST_STATEFUL;
  private volatile ObjectNode clientInfo;
  /** What the host declared it can answer (sampling, elicitation, roots), once it initialized. */
  private volatile ObjectNode hostCapabilities;
  private final java.util.concurrent.atomic.AtomicLong elicitations = new java.util.concurrent.atomic.AtomicLong();
  private final CompletableFuture<Void> startedAll = new CompletableFuture<>();

  /** A host request waiting for an upstream. */
  record InFlight(UpstreamConnection upstream, CompletableFuture<Response> future, JsonNode progressToken,
      long sequence) {}

  private final AtomicLong nextSequence = new AtomicLong();
  /** Bound on a session's requests waiting for servers, and on server requests waiting for the host. */
  static final int MAX_IN_FLIGHT = 1024;

  GatewaySession(String id, String transport, Gateway gateway, ClientPort port) {
    this(id, transport, gateway, port, gateway.stdioCaller());
  }

  GatewaySession(String id, String transport, Gateway gateway, ClientPort port, dev.aegis.transport.Caller caller) {
    this.id = id;
    this.gateway = gateway;
    this.port = port;
    this.info = new SessionInfo(id, transport, caller.name(), caller.groups());
    this.aggregator = new Aggregator(this);
    this.hostRequests = new HostRequests(gateway, id);
    Router router = new Router(this);
    this.pipeline = new Pipeline(gateway.chainWith(router), gateway.listener());
    this.forwardPipeline = pipeline.withTerminal(new Forwarder(this));
  }

  @Override
  public String id() {
    return id;
  }

  SessionInfo info() {
    return info;
  }

  Gateway gateway() {
    return gateway;
  }

  Catalog catalog() {
    return catalog;
  }

  Aggregator aggregator() {
    return aggregator;
  }

  Pipeline forwardPipeline() {
    return forwardPipeline;
  }

  ProtocolVersion protocolVersion() {
    return protocolVersion;
  }

  boolean isInitialized() {
    return initialized;
  }

  void markInitialized(ProtocolVersion version) {
    this.protocolVersion = version;
    this.initialized = true;
  }

  /** Upstreams in configuration order. */
  List<UpstreamConnection> upstreams() {
    synchronized (upstreams) {
      return List.copyOf(upstreams.values());
    }
  }

  UpstreamConnection upstream(String name) {
    synchronized (upstreams) {
      return upstreams.get(name);
    }
  }

  /** A stateless request's stream closed: forget a listener it held. */
  void stopListening(RequestId id) {
    modern.stopListening(id);
  }

  /** The host subscribed to (or unsubscribed from) a resource on a server. */
  void subscribed(String server, String uri, boolean on) {
    java.util.Set<String> uris = subscriptions.computeIfAbsent(server, k -> ConcurrentHashMap.newKeySet());
    if (on) {
      uris.add(uri);
    } else {
      uris.remove(uri);
    }
  }

  /** The host set the log level (the params of its logging/setLevel). */
  void logLevel(ObjectNode params) {
    this.logLevel = params;
  }

  /** A restarted server forgot what the host set up: set it up again. */
  private void replaySetup(UpstreamConnection up) {
    ObjectNode level = logLevel;
    if (level != null && up.has("logging")) {
      up.request(McpMethod.LOGGING_SET_LEVEL.wire(), level.deepCopy());
    }
    for (String uri : subscriptions.getOrDefault(up.name(), java.util.Set.of())) {
      ObjectNode p = JsonNodeFactory.instance.objectNode();
      p.put("uri", uri);
      up.request(McpMethod.RESOURCES_SUBSCRIBE.wire(), p);
    }
  }

  /** A per-request view of this (shared, stateless) session whose replies go to {@code replyPort}. */
  ServerSession view(ClientPort replyPort) {
    return new StatelessView(this, replyPort);
  }

  // ---------------------------------------------------------------------------------------------- from the host

  @Override
  public void receive(Message message) {
    receive(message, port);
  }

  void receive(Message message, ClientPort replyTo) {
    if (closed.get()) {
      if (message instanceof Request r) {
        replyTo.send(Response.error(r.id(), JsonRpcError.of(JsonRpcError.SESSION_CLOSED, "session is closed")), r.id());
      }
      return;
    }
    if (message instanceof Response r) {
      hostRequests.answer(r);
      return;
    }
    if (message instanceof Request req && Modern.claims(req)) {
      modern.receive(req, replyTo);
      return;
    }
    dispatch(message, replyTo);
  }

  /**
   * Runs a host message through the chain; the response (for a request) goes to {@code replyTo}. Never blocks the
   * transport's thread: a message whose routing must wait (servers still starting, a name not listed yet) and every
   * message after it run on a worker, in order, so a host's ping or cancel is never stuck behind a slow first list.
   */
  void dispatch(Message message, ClientPort replyTo) {
    boolean inline;
    synchronized (backlog) {
      inline = !draining && !Router.mayBlock(this, message);
      if (!inline) {
        backlog.add(() -> dispatchNow(message, replyTo));
        if (!draining) {
          draining = true;
          gateway.workers().execute(this::drain);
        }
      }
    }
    if (inline) {
      dispatchNow(message, replyTo);
    }
  }

  private void drain() {
    while (true) {
      Runnable next;
      synchronized (backlog) {
        next = backlog.poll();
        if (next == null) {
          draining = false;
          return;
        }
      }
      try {
        next.run();
      } catch (RuntimeException e) {
        gateway.log().warn("session " + id + ": " + e);
      }
    }
  }

  /** Whether every upstream has started (or given up starting). */
  boolean upstreamsSettled() {
    return started.get() && startedAll.isDone();
  }

  private void dispatchNow(Message message, ClientPort replyTo) {
    if (replyTo != port && message instanceof Request req) {
      replyPorts.put(req.id(), replyTo);
    }
    Target target = Router.resolve(this, message);
    Exchange exchange = new Exchange(info, Direction.TO_SERVER, message, target, System.nanoTime());
    Reply reply = pipeline.send(exchange);
    if (message instanceof Request r) {
      reply.whenReady(response -> {
        inFlight.remove(r.id());
        replyPorts.remove(r.id());
        if (!cancelledRequests.remove(r.id())) {
          replyTo.send(response, r.id());
        }
      });
    }
  }

  private ClientPort portFor(RequestId related) {
    ClientPort p = related == null ? null : replyPorts.get(related);
    return p != null ? p : port;
  }

  // --------------------------------------------------------------------------------------- upstream lifecycle

  /**
   * Starts every upstream once, with what the host said in initialize (or defaults), and returns when all are ready
   * or the startup time is up.
   */
  CompletableFuture<Void> startUpstreams(ProtocolVersion version, ObjectNode capabilities, ObjectNode hostInfo) {
    if (!started.compareAndSet(false, true)) {
      return startedAll;
    }
    this.protocolVersion = version;
    this.clientInfo = hostInfo;
    this.hostCapabilities = capabilities;
    ObjectNode info = JsonNodeFactory.instance.objectNode();
    info.put("name", hostInfo != null && hostInfo.path("name").isString()
        ? hostInfo.path("name").stringValue() + " via aegis" : "aegis");
    info.put("version", hostInfo != null && hostInfo.path("version").isString()
        ? hostInfo.path("version").stringValue() : Gateway.VERSION);
    ObjectNode caps = capabilities == null ? JsonNodeFactory.instance.objectNode() : capabilities.deepCopy();
    String upstreamVersion = version.isStateless() ? ProtocolVersion.LATEST_STATEFUL.wire() : version.wire();
    UpstreamConnection.InitParams init = new UpstreamConnection.InitParams(upstreamVersion, caps, info);
    UpstreamConnection.Timeouts timeouts = new UpstreamConnection.Timeouts(gateway.config().requestTimeout(),
        gateway.config().startupTimeout(), gateway.config().maxRestartBackoff());
    List<CompletableFuture<Void>> all = new ArrayList<>();
    synchronized (upstreams) {
      for (ServerConfig s : gateway.config().servers()) {
        UpstreamConnection up = new UpstreamConnection(s, gateway.channelsFor(this.info), init, gateway.scheduler(), timeouts,
            new UpstreamEvents(), gateway.log());
        upstreams.put(s.name(), up);
        gateway.sweeper().add(up);
      }
    }
    for (UpstreamConnection up : upstreams()) {
      all.add(up.start().exceptionally(e -> null));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .completeOnTimeout(null, gateway.config().startupTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((v, e) -> startedAll.complete(null));
    return startedAll;
  }

  /** Starts upstreams with defaults when a host skipped initialize (stateless clients, or a careless one). */
  void ensureStarted() {
    if (!started.get()) {
      // no initialize: a stateless client. Declare what the gateway can relay (as input_required results), and
      // refuse per request what that client did not declare.
      startUpstreams(protocolVersion, relayableCapabilities(), clientInfo);
    }
    try {
      startedAll.get(gateway.config().startupTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      gateway.log().warn("session " + id + ": upstreams did not start in time: " + e);
    }
  }

  private static ObjectNode relayableCapabilities() {
    ObjectNode caps = JsonNodeFactory.instance.objectNode();
    caps.putObject("sampling");
    ObjectNode elicitation = caps.putObject("elicitation");
    elicitation.putObject("form");
    elicitation.putObject("url");
    caps.putObject("roots");
    return caps;
  }

  // ------------------------------------------------------------------------------------------ forwarding

  /** Forwards a host request to one upstream, tracking it for cancellation and progress. */
  CompletableFuture<Response> forward(UpstreamConnection upstream, Request request) {
    if (inFlight.size() >= MAX_IN_FLIGHT) {
      return CompletableFuture.completedFuture(Response.error(request.id(), JsonRpcError.of(
          JsonRpcError.INTERNAL_ERROR, "too many requests in flight in this session (" + MAX_IN_FLIGHT + ")")));
    }
    JsonNode token = request.params() == null ? null : request.params().path("_meta").get("progressToken");
    // registered before sending: the server may ask the client something (or report progress) before send returns
    InFlight placeholder = new InFlight(upstream, null, token, nextSequence.incrementAndGet());
    inFlight.put(request.id(), placeholder);
    CompletableFuture<Response> future = upstream.send(request);
    if (future.isDone()) {
      inFlight.remove(request.id(), placeholder);
    } else {
      inFlight.replace(request.id(), placeholder, new InFlight(upstream, future, token, placeholder.sequence()));
    }
    return future;
  }

  /** The host's cancellation of one of its requests. */
  void cancelFromClient(RequestId requestId, String reason) {
    InFlight f = inFlight.remove(requestId);
    if (f == null) {
      return;
    }
    cancelledRequests.add(requestId);
    long upstreamId = f.future() == null ? -1 : f.upstream().upstreamIdOf(f.future());
    if (upstreamId >= 0) {
      f.upstream().cancel(upstreamId, reason);
    }
  }

  /**
   * The host request a message from this upstream belongs to (for HTTP stream routing and stateless calls), or
   * null. A progress notification names its request by token. Otherwise stdio carries no relation: the most
   * recently started call to that upstream that is still listening is the best guess (a stateless call parked for
   * the client's retry is not listening).
   */
  RequestId relatedRequest(UpstreamConnection upstream, JsonNode progressToken) {
    RequestId latest = null;
    long latestSequence = -1;
    RequestId parkedLatest = null;
    long parkedSequence = -1;
    for (Map.Entry<RequestId, InFlight> e : inFlight.entrySet()) {
      InFlight f = e.getValue();
      if (progressToken != null) {
        if (progressToken.equals(f.progressToken())) {
          return e.getKey();
        }
        continue;
      }
      if (f.upstream() != upstream) {
        continue;
      }
      if (modern.isParked(e.getKey())) {
        if (f.sequence() > parkedSequence) {
          parkedLatest = e.getKey();
          parkedSequence = f.sequence();
        }
      } else if (f.sequence() > latestSequence) {
        latest = e.getKey();
        latestSequence = f.sequence();
      }
    }
    // a parked call's server may still add a question; it joins the questions the client's retry answers
    return latest != null ? latest : parkedLatest;
  }

  /** Sends a server-initiated request to the host under a fresh id; the reply carries the host's answer. */
  Reply sendToClient(UpstreamConnection upstream, Request request, RequestId related) {
    Reply stateless = modern.interrupt(request, related);
    if (stateless != null) {
      return stateless;
    }
    return hostRequests.send(upstream, request, portFor(related), related);
  }

  /** The server whose request to the host carries this progress token, or null. */
  UpstreamConnection progressTarget(JsonNode token) {
    return hostRequests.progressTarget(token);
  }

  /** A server cancelling one of its own requests to the host (null when it is no longer pending). */
  Notification translateServerCancel(UpstreamConnection upstream, Notification n) {
    return hostRequests.translateCancel(upstream, n);
  }

  /** Sends a notification to the host. */
  void notifyClient(Notification notification, RequestId related) {
    ClientPort p = portFor(related);
    if (p != null) {
      p.send(notification, related);
    }
  }

  // ------------------------------------------------------------------------------------- from upstreams

  /** Events from this session's upstream connections. */
  private final class UpstreamEvents implements UpstreamConnection.Listener {
    @Override
    public void onServerRequest(UpstreamConnection upstream, Request request) {
      if (closed.get()) {
        return;
      }
      Exchange exchange = new Exchange(info, Direction.TO_CLIENT, request, new Target(upstream.name(), null),
          System.nanoTime());
      Reply reply = pipeline.send(exchange);
      reply.whenReady(response -> upstream.respond(request.id(), response));
    }

    @Override
    public void onServerNotification(UpstreamConnection upstream, Notification notification) {
      if (closed.get()) {
        return;
      }
      McpMethod m = notification.knownMethod();
      if (m == McpMethod.TOOLS_LIST_CHANGED) {
        catalog.invalidate(Catalog.Kind.TOOLS);
        modern.listChanged("tools");
      } else if (m == McpMethod.PROMPTS_LIST_CHANGED) {
        catalog.invalidate(Catalog.Kind.PROMPTS);
        modern.listChanged("prompts");
      } else if (m == McpMethod.RESOURCES_LIST_CHANGED) {
        catalog.invalidate(Catalog.Kind.RESOURCES);
        catalog.invalidate(Catalog.Kind.TEMPLATES);
        modern.listChanged("resources");
      }
      Exchange exchange = new Exchange(info, Direction.TO_CLIENT, notification, new Target(upstream.name(), null),
          System.nanoTime());
      pipeline.send(exchange);
    }

    @Override
    public void onReady(UpstreamConnection upstream, boolean restarted) {
      if (closed.get() || (!restarted && !startedAll.isDone())) {
        return;
      }
      if (restarted) {
        replaySetup(upstream);
      }
      // a late or restarted server: its lists may differ from what the host has
      catalog.invalidateAll();
      for (String kind : List.of("tools", "prompts", "resources")) {
        if (upstream.has(kind)) {
          notifyClient(Notification.of("notifications/" + kind + "/list_changed", null), null);
        }
      }
    }
  }

  /**
   * Asks the host a question of the gateway's own ({@code elicitation/create} with {@code params}); null when the
   * host did not declare elicitation (then the caller must find another way to ask).
   */
  CompletableFuture<Response> elicit(ObjectNode params) {
    ObjectNode caps = hostCapabilities;
    if (closed.get() || port == null || caps == null || !caps.has("elicitation")) {
      return null;
    }
    Request ask = Request.of(RequestId.of("aegis-ask-" + elicitations.incrementAndGet()),
        McpMethod.ELICITATION_CREATE.wire(), params);
    CompletableFuture<Response> done = new CompletableFuture<>();
    hostRequests.send(null, ask, port, null).whenReady(done::complete);
    return done;
  }

  /**
   * What a guard allows may have changed (a held definition was approved): lists are fetched again and the host is
   * told to re-list.
   */
  void definitionsChanged() {
    if (closed.get()) {
      return;
    }
    catalog.invalidateAll();
    for (String kind : List.of("tools", "prompts", "resources")) {
      notifyClient(Notification.of("notifications/" + kind + "/list_changed", null), null);
    }
  }

  // ------------------------------------------------------------------------------------------ closing

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    hostRequests.closeAll();
    for (UpstreamConnection up : upstreams()) {
      gateway.sweeper().remove(up);
      up.close();
    }
    gateway.closed(this);
  }

}
