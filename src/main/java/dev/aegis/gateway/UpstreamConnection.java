package dev.aegis.gateway;

import dev.aegis.config.ServerConfig;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.McpMethod;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.ProtocolException;
import dev.aegis.protocol.ProtocolVersion;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import dev.aegis.transport.MessageChannel;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The gateway as an MCP client of one upstream server, for one downstream session. Owns the id space towards the
 * server: every request it sends gets a fresh numeric id, and responses are matched back, so ids from different
 * sources never collide. Restarts the server with exponential backoff when it crashes, hangs or fails to start.
 *
 * <pre>{@code
 * UpstreamConnection up = new UpstreamConnection(config, factory, init, scheduler, timeouts, listener, log);
 * up.start().join();
 * Response r = up.send(request).join();   // r carries the caller's id again
 * }</pre>
 */
public final class UpstreamConnection {

  /** What the session hears from this connection. */
  public interface Listener {
    /** A request from the server (sampling, elicitation, roots, ...), with the server's own id. */
    void onServerRequest(UpstreamConnection upstream, Request request);

    void onServerNotification(UpstreamConnection upstream, Notification notification);

    /** The connection became ready: the first time, or again after a failure (lists may have changed). */
    void onReady(UpstreamConnection upstream, boolean restarted);
  }

  /** Opens a channel for a server's transport. */
  @FunctionalInterface
  public interface ChannelFactory {
    MessageChannel open(ServerConfig server) throws IOException;
  }

  /** Timing settings. */
  public record Timeouts(Duration request, Duration startup, Duration maxBackoff) {}

  private record Pending(RequestId callerId, CompletableFuture<Response> future, String method, long deadlineNanos,
      Duration timeout) {}

  private final ServerConfig config;
  private final ChannelFactory factory;
  private final InitParams init;
  private final ScheduledExecutorService scheduler;
  private final Timeouts timeouts;
  private final Listener listener;
  private final GatewayLog log;
  private final AtomicLong nextId = new AtomicLong(1);
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();

  private volatile UpstreamState state = UpstreamState.STARTING;
  private volatile MessageChannel channel;
  private volatile JsonNode initializeResult;
  private volatile CompletableFuture<Void> ready = new CompletableFuture<>();
  private volatile String lastFailure;
  private int failures;
  private boolean hadReady;

  /** What the gateway says about itself when it initializes an upstream. */
  public record InitParams(String protocolVersion, ObjectNode capabilities, ObjectNode clientInfo) {}

  public UpstreamConnection(ServerConfig config, ChannelFactory factory, InitParams init,
      ScheduledExecutorService scheduler, Timeouts timeouts, Listener listener, GatewayLog log) {
    this.config = config;
    this.factory = factory;
    this.init = init;
    this.scheduler = scheduler;
    this.timeouts = timeouts;
    this.listener = listener;
    this.log = log;
  }

  public ServerConfig config() {
    return config;
  }

  public String name() {
    return config.name();
  }

  public UpstreamState state() {
    return state;
  }

  /** Why the last start or run failed, or null. */
  public String lastFailure() {
    return lastFailure;
  }

  /** The server's initialize result (protocolVersion, capabilities, serverInfo, instructions), or null. */
  public JsonNode initializeResult() {
    return initializeResult;
  }

  /** The server's capabilities, or an empty object before initialization. */
  public JsonNode capabilities() {
    JsonNode r = initializeResult;
    return r == null ? JsonNodeFactory.instance.objectNode() : r.path("capabilities");
  }

  public boolean has(String capability) {
    return capabilities().has(capability);
  }

  /** Completes when the connection is ready (or fails when this attempt to start fails). */
  public CompletableFuture<Void> ready() {
    return ready;
  }

  /** Starts the server and runs the initialize handshake. Completes when ready; fails when the first try failed. */
  public CompletableFuture<Void> start() {
    CompletableFuture<Void> first = ready;
    connect();
    return first;
  }

  private void connect() {
    CompletableFuture<Void> attempt = ready;
    if (state == UpstreamState.CLOSED) {
      return;
    }
    state = UpstreamState.STARTING;
    MessageChannel ch;
    try {
      ch = factory.open(config);
    } catch (IOException | RuntimeException e) {
      failed("cannot start: " + e.getMessage(), null);
      return;
    }
    channel = ch;
    try {
      ch.start(new Receiver(ch));
    } catch (IOException | RuntimeException e) {
      failed("cannot start: " + e.getMessage(), ch);
      return;
    }
    ObjectNode params = JsonNodeFactory.instance.objectNode();
    params.put("protocolVersion", init.protocolVersion());
    params.set("capabilities", init.capabilities());
    params.set("clientInfo", init.clientInfo());
    sendInternal(McpMethod.INITIALIZE.wire(), params, timeouts.startup()).whenComplete((r, e) -> {
      if (channel != ch || state == UpstreamState.CLOSED) {
        return;
      }
      if (e != null || r.isError()) {
        failed("initialize failed: " + (e != null ? e.getMessage() : r.error().message()), ch);
        return;
      }
      JsonNode result = r.result();
      String version = result.path("protocolVersion").asString("");
      if (ProtocolVersion.of(version) == null) {
        failed("server answered initialize with protocol version '" + version + "', which Aegis does not speak", ch);
        return;
      }
      initializeResult = result;
      try {
        ch.send(Notification.of(McpMethod.INITIALIZED.wire(), null));
      } catch (IOException ex) {
        failed("cannot send initialized: " + ex.getMessage(), ch);
        return;
      }
      boolean restarted;
      synchronized (this) {
        failures = 0;
        restarted = hadReady;
        hadReady = true;
      }
      state = UpstreamState.READY;
      log.info("upstream " + name() + " ready (" + ch.describe() + ", protocol " + version + ", "
          + result.path("serverInfo").path("name").asString("?") + " " + result.path("serverInfo").path("version").asString("")
          + ")");
      // before completing: a first start must not look like a late arrival to the session
      listener.onReady(this, restarted);
      attempt.complete(null);
    });
  }

  /**
   * Forwards a request from the host (or the gateway) under a fresh upstream id; the returned response carries the
   * request's original id again. Never completes exceptionally: failures become JSON-RPC errors.
   */
  public CompletableFuture<Response> send(Request request) {
    if (state != UpstreamState.READY) {
      return CompletableFuture.completedFuture(Response.error(request.id(), unavailable()));
    }
    return sendRaw(request, timeouts.request());
  }

  /** The upstream id a forwarded request got, for cancellation; -1 when unknown. */
  public long upstreamIdOf(CompletableFuture<Response> future) {
    for (Map.Entry<Long, Pending> e : pending.entrySet()) {
      if (e.getValue().future == future) {
        return e.getKey();
      }
    }
    return -1;
  }

  /** Sends a request of the gateway's own (e.g. a list it aggregates) and returns the response. */
  public CompletableFuture<Response> request(String method, ObjectNode params) {
    if (state != UpstreamState.READY) {
      return CompletableFuture.completedFuture(Response.error(RequestId.of(0), unavailable()));
    }
    return sendInternal(method, params, timeouts.request());
  }

  private CompletableFuture<Response> sendInternal(String method, ObjectNode params, Duration timeout) {
    return sendRaw(Request.of(RequestId.of(0), method, params), timeout);
  }

  private CompletableFuture<Response> sendRaw(Request request, Duration timeout) {
    MessageChannel ch = channel;
    long id = nextId.getAndIncrement();
    CompletableFuture<Response> future = new CompletableFuture<>();
    // no timer task per request: the gateway's sweeper checks deadlines (a timer task would wake a thread per call)
    pending.put(id, new Pending(request.id(), future, request.method(), System.nanoTime() + timeout.toNanos(),
        timeout));
    try {
      ch.send(request.withId(RequestId.of(id)));
    } catch (IOException | RuntimeException e) {
      complete(id, null, JsonRpcError.of(JsonRpcError.UPSTREAM_UNAVAILABLE,
          "upstream server '" + name() + "' cannot be reached: " + e.getMessage()));
    }
    return future;
  }

  /** Sends a notification to the server (dropped with a log line when the server is not ready). */
  public void notify(Notification notification) {
    MessageChannel ch = channel;
    if (state != UpstreamState.READY || ch == null) {
      log.debug("upstream " + name() + " not ready; dropped " + notification.method());
      return;
    }
    try {
      ch.send(notification);
    } catch (IOException e) {
      log.warn("upstream " + name() + ": cannot send " + notification.method() + ": " + e.getMessage());
    }
  }

  /** Answers a request the server sent, under the server's own id. */
  public void respond(RequestId serverId, Response response) {
    MessageChannel ch = channel;
    if (ch == null) {
      return;
    }
    try {
      ch.send(response.withId(serverId));
    } catch (IOException e) {
      log.warn("upstream " + name() + ": cannot send a response: " + e.getMessage());
    }
  }

  /** Cancels a forwarded request: tells the server and fails the caller's future. */
  public void cancel(long upstreamId, String reason) {
    Pending p = pending.get(upstreamId);
    if (p == null) {
      return;
    }
    ObjectNode params = JsonNodeFactory.instance.objectNode();
    params.put("requestId", upstreamId);
    if (reason != null) {
      params.put("reason", reason);
    }
    notify(Notification.of(McpMethod.CANCELLED.wire(), params));
    complete(upstreamId, null, JsonRpcError.of(JsonRpcError.INTERNAL_ERROR, "request cancelled"));
  }

  /** Closes for good: stops the server and fails whatever is in flight. */
  public void close() {
    state = UpstreamState.CLOSED;
    MessageChannel ch = channel;
    failAll(JsonRpcError.of(JsonRpcError.SESSION_CLOSED, "the session closed"));
    ready.completeExceptionally(new IOException("closed"));
    if (ch != null) {
      ch.close();
    }
  }

  private JsonRpcError unavailable() {
    String why = lastFailure == null ? state.name().toLowerCase() : lastFailure;
    return JsonRpcError.of(JsonRpcError.UPSTREAM_UNAVAILABLE,
        "upstream server '" + name() + "' is not available (" + why + ")");
  }

  /** Fails the requests whose deadline passed; called periodically by the gateway's sweeper. */
  void sweep(long nowNanos) {
    for (Map.Entry<Long, Pending> e : pending.entrySet()) {
      Pending p = e.getValue();
      if (nowNanos - p.deadlineNanos >= 0) {
        timedOut(e.getKey(), p.method, p.timeout);
      }
    }
  }

  private void timedOut(long id, String method, Duration timeout) {
    Pending p = pending.get(id);
    if (p == null) {
      return;
    }
    String why = "upstream server '" + name() + "' did not answer " + method + " within " + timeout.toMillis() + " ms";
    complete(id, null, JsonRpcError.of(JsonRpcError.UPSTREAM_TIMEOUT, why));
    if (state == UpstreamState.READY) {
      ObjectNode params = JsonNodeFactory.instance.objectNode();
      params.put("requestId", id);
      params.put("reason", "timed out in the gateway");
      notify(Notification.of(McpMethod.CANCELLED.wire(), params));
      checkAlive();
    } else if (state == UpstreamState.STARTING && McpMethod.INITIALIZE.wire().equals(method)) {
      failed(why, channel);
    }
  }

  /** After a timeout: a server that does not answer a ping either is hung and gets restarted. */
  private void checkAlive() {
    MessageChannel ch = channel;
    Duration pingTimeout = timeouts.request().compareTo(Duration.ofSeconds(10)) < 0 ? timeouts.request()
        : Duration.ofSeconds(10);
    sendInternal(McpMethod.PING.wire(), null, pingTimeout).thenAccept(r -> {
      if (r.isError() && r.error().code() == JsonRpcError.UPSTREAM_TIMEOUT && channel == ch) {
        failed("hung: no answer to ping within " + pingTimeout.toMillis() + " ms", ch);
      }
    });
  }

  private void complete(long id, Response response, JsonRpcError error) {
    Pending p = pending.remove(id);
    if (p == null) {
      return;
    }
    p.future.complete(error != null ? Response.error(p.callerId, error) : response.withId(p.callerId));
  }

  private void failAll(JsonRpcError error) {
    for (Long id : new ArrayList<>(pending.keySet())) {
      complete(id, null, error);
    }
  }

  private void failed(String why, MessageChannel ch) {
    CompletableFuture<Void> attempt;
    long delay;
    synchronized (this) {
      if (state == UpstreamState.CLOSED || (ch != null && channel != ch)
          || (state == UpstreamState.FAILED && ch == channel)) {
        return; // closed for good, a stale channel, or this failure is already being handled
      }
      state = UpstreamState.FAILED;
      lastFailure = why;
      failures++;
      delay = Math.min(timeouts.maxBackoff().toMillis(), 250L << Math.min(failures - 1, 16));
      attempt = ready;
      ready = new CompletableFuture<>();
    }
    log.warn("upstream " + name() + " " + why + "; restarting in " + delay + " ms");
    failAll(JsonRpcError.of(JsonRpcError.UPSTREAM_UNAVAILABLE, "upstream server '" + name() + "' failed: " + why));
    if (ch != null) {
      ch.close();
    }
    attempt.completeExceptionally(new IOException(why));
    scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
  }

  /** Messages from the server. */
  private final class Receiver implements MessageChannel.Receiver {
    private final MessageChannel ch;

    Receiver(MessageChannel ch) {
      this.ch = ch;
    }

    @Override
    public void onMessage(Message message) {
      if (channel != ch) {
        return;
      }
      if (message instanceof Response r) {
        if (r.id() instanceof RequestId.Number n) {
          complete(n.value(), r, null);
        } else {
          log.debug("upstream " + name() + " answered an id the gateway never used: " + r.id());
        }
      } else if (message instanceof Request r) {
        if (McpMethod.PING.wire().equals(r.method())) {
          respond(r.id(), Response.result(r.id(), JsonNodeFactory.instance.objectNode()));
        } else {
          listener.onServerRequest(UpstreamConnection.this, r);
        }
      } else if (message instanceof Notification n) {
        listener.onServerNotification(UpstreamConnection.this, n);
      }
    }

    @Override
    public void onInvalid(ProtocolException error) {
      log.warn("upstream " + name() + " sent an invalid message: " + error.getMessage());
    }

    @Override
    public void onClosed(Throwable cause) {
      if (channel == ch && state != UpstreamState.CLOSED) {
        failed(cause == null ? "closed the connection" : cause.getMessage(), ch);
      }
    }
  }

  /** The configured server's transport, for display. */
  public String describe() {
    if (config.transport() instanceof ServerConfig.Stdio s) {
      return "stdio " + String.join(" ", s.command());
    }
    if (config.transport() instanceof ServerConfig.Builtin b) {
      return "builtin " + b.kind();
    }
    return ((ServerConfig.Http) config.transport()).url().toString();
  }
}
