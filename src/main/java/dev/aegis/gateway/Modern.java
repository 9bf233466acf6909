package dev.aegis.gateway;

import dev.aegis.chain.Reply;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.McpMethod;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.MetaKeys;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.ProtocolVersion;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import dev.aegis.transport.ClientPort;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The stateless 2026-07-28 protocol in front of servers that speak the stateful revisions. A request that claims the
 * new revision in {@code _meta} is checked (envelope, version, removed methods), answered with the fields the new
 * revision requires ({@code resultType}, cache hints, serverInfo in {@code _meta}), and a server's request to the
 * client (sampling, elicitation, roots) becomes an {@code input_required} result whose signed {@code requestState}
 * lets the client's retry resume the very same upstream call.
 */
final class Modern {
  static final String META_VERSION = MetaKeys.PROTOCOL_VERSION;
  static final String META_CAPABILITIES = MetaKeys.CLIENT_CAPABILITIES;
  static final String META_LOG_LEVEL = MetaKeys.LOG_LEVEL;
  static final String META_SERVER_INFO = MetaKeys.SERVER_INFO;
  static final String META_SUBSCRIPTION = MetaKeys.SUBSCRIPTION_ID;
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final Set<String> REMOVED = Set.of("initialize", "ping", "logging/setLevel", "resources/subscribe",
      "resources/unsubscribe");
  private static final Set<String> CACHEABLE = Set.of("tools/list", "prompts/list", "resources/list",
      "resources/templates/list", "resources/read");
  private static final Set<String> KNOWN = Set.of("server/discover", "tools/list", "tools/call", "prompts/list",
      "prompts/get", "resources/list", "resources/templates/list", "resources/read", "completion/complete",
      "subscriptions/listen");
  private static final Set<String> MAY_ASK = Set.of("tools/call", "prompts/get", "resources/read");
  /** Bound on calls parked waiting for a client's retry, so a client cannot exhaust memory. */
  private static final int MAX_PARKED = 10_000;

  private final GatewaySession session;
  private final byte[] key = new byte[32];
  private final AtomicLong nextPark = new AtomicLong(1);
  private final AtomicLong nextKey = new AtomicLong(1);
  /** How long to gather questions a server asks at once before answering the client with all of them. */
  private static final long COALESCE_MS = 25;
  private static final long COALESCE_MAX_MS = 250;
  private final Map<RequestId, Call> calls = new ConcurrentHashMap<>();
  private final Map<Long, Call> parked = new ConcurrentHashMap<>();
  private final Map<RequestId, Listener> listeners = new ConcurrentHashMap<>();

  Modern(GatewaySession session) {
    this.session = session;
    new SecureRandom().nextBytes(key);
  }

  /** Whether a request speaks the stateless revision (it carries the protocol version in {@code _meta}). */
  static boolean claims(Request r) {
    ObjectNode params = r.params();
    return params != null && params.path("_meta").has(META_VERSION);
  }

  /** A server's question to the client, waiting for the client's retry. */
  private record Ask(Request serverRequest, CompletableFuture<Response> future) {}

  /** One host request (and its retries) in flight. */
  private final class Call {
    final Request original;
    final boolean logging;
    final JsonNode capabilities;
    RequestId currentId;
    ClientPort currentPort;
    final Map<String, Ask> asks = new java.util.LinkedHashMap<>();
    boolean flushScheduled;
    long flushDeadline;
    long firstAsk;
    final ObjectNode missing = JSON.objectNode();
    boolean answeredAny;
    long parkId = -1;
    ObjectNode pendingResult;

    Call(Request original, ClientPort port) {
      this.original = original;
      ObjectNode meta = (ObjectNode) original.params().get("_meta");
      this.logging = meta.has(META_LOG_LEVEL);
      this.capabilities = meta.get(META_CAPABILITIES);
      this.currentId = original.id();
      this.currentPort = port;
    }

    void answer(Response response) {
      ClientPort p;
      RequestId id;
      synchronized (this) {
        if (!missing.isEmpty() && !answeredAny && failed(response)) {
          ObjectNode data = JSON.objectNode();
          data.set("requiredCapabilities", missing.deepCopy());
          response = Response.error(response.id(), new JsonRpcError(JsonRpcError.MISSING_CAPABILITY,
              "Missing required client capability: " + String.join(", ", missing.propertyNames()), data));
        }
        p = currentPort;
        id = currentId;
        if (p == null) {
          return; // waiting for the client's retry: nobody to give it to
        }
        currentPort = null;
        calls.remove(original.id());
        if (parkId >= 0) {
          parked.remove(parkId);
        }
      }
      p.send(decorate(original.method(), response.withId(id)), id);
    }

    /** Sends the questions collected so far as one input_required result and waits for the retry. */
    void flush() {
      ClientPort p;
      RequestId id;
      ObjectNode result;
      synchronized (this) {
        long wait = flushDeadline - System.nanoTime();
        if (wait > 0) {
          // another question arrived meanwhile: wait for the server to finish asking
          session.gateway().scheduler().schedule(this::flush, wait, TimeUnit.NANOSECONDS);
          return;
        }
        flushScheduled = false;
        if (asks.isEmpty() || currentPort == null) {
          return;
        }
        result = inputRequired();
        p = currentPort;
        id = currentId;
        currentPort = null;
      }
      p.send(decorate(original.method(), Response.result(id, result)), id);
    }

    /** A fresh input_required result for the open questions, under a new signed state. Caller holds the lock. */
    ObjectNode inputRequired() {
      if (parkId >= 0) {
        parked.remove(parkId);
      }
      parkId = nextPark.getAndIncrement();
      parked.put(parkId, this);
      long myPark = parkId;
      long timeout = session.gateway().config().requestTimeout().toMillis();
      session.gateway().scheduler().schedule(() -> expire(this, myPark, timeout), timeout, TimeUnit.MILLISECONDS);
      ObjectNode result = JSON.objectNode();
      result.put("resultType", "input_required");
      ObjectNode requests = result.putObject("inputRequests");
      for (Map.Entry<String, Ask> e : asks.entrySet()) {
        Request q = e.getValue().serverRequest();
        ObjectNode req = requests.putObject(e.getKey());
        req.put("method", q.method());
        ObjectNode params = q.params() == null ? JSON.objectNode() : q.params().deepCopy();
        params.remove("_meta");
        req.set("params", params);
      }
      result.put("requestState", sign(parkId, original));
      pendingResult = result;
      return result;
    }
  }

  /** Whether a response (or a result flagged isError) reports failure. */
  private static boolean failed(Response response) {
    return response.isError() || response.result().path("isError").asBoolean(false);
  }

  /** Whether the stateless call with this id is parked, waiting for the client's retry. */
  boolean isParked(RequestId id) {
    Call call = calls.get(id);
    if (call == null) {
      return false;
    }
    synchronized (call) {
      return call.currentPort == null;
    }
  }

  private void expire(Call call, long parkId, long timeout) {
    List<Ask> dropped;
    synchronized (call) {
      if (call.parkId != parkId || parked.remove(parkId) == null) {
        return;
      }
      dropped = List.copyOf(call.asks.values());
      call.asks.clear();
      calls.remove(call.original.id());
    }
    for (Ask a : dropped) {
      a.future().complete(Response.error(a.serverRequest().id(), JsonRpcError.of(JsonRpcError.UPSTREAM_TIMEOUT,
          "the client did not retry with input within " + timeout + " ms")));
    }
  }

  /** A {@code subscriptions/listen} stream. */
  private record Listener(RequestId id, ClientPort port, JsonNode filter) {}

  void receive(Request r, ClientPort replyTo) {
    Response refused = check(r);
    if (refused != null) {
      replyTo.send(refused, r.id());
      return;
    }
    if (r.method().equals("subscriptions/listen")) {
      listen(r, replyTo);
      return;
    }
    if (r.params().has("requestState") || r.params().has("inputResponses")) {
      resume(r, replyTo);
      return;
    }
    Call call = new Call(r, replyTo);
    calls.put(r.id(), call);
    session.dispatch(r, (message, related) -> {
      if (message instanceof Response resp && r.id().equals(resp.id())) {
        call.answer(resp);
      } else if (message instanceof Notification n) {
        if (n.method().equals(McpMethod.MESSAGE.wire()) && !call.logging) {
          return; // the client did not ask for log messages
        }
        ClientPort p = call.currentPort;
        if (p != null) {
          p.send(n, call.currentId);
        }
      }
    });
  }

  /** The envelope, version and method ladder of the stateless revision; null when the request may proceed. */
  private Response check(Request r) {
    JsonNode meta = r.params().get("_meta");
    JsonNode version = meta.get(META_VERSION);
    if (!meta.isObject() || version == null || !version.isString() || !meta.path(META_CAPABILITIES).isObject()) {
      return Response.error(r.id(), JsonRpcError.of(JsonRpcError.INVALID_PARAMS, "Invalid _meta: "
          + META_VERSION + " (a string) and " + META_CAPABILITIES + " (an object) are required"));
    }
    if (!ProtocolVersion.V2026_07_28.wire().equals(version.stringValue())) {
      ObjectNode data = JSON.objectNode();
      data.putArray("supported").add(ProtocolVersion.V2026_07_28.wire());
      data.put("requested", version.stringValue());
      return Response.error(r.id(), new JsonRpcError(JsonRpcError.UNSUPPORTED_VERSION,
          "Unsupported protocol version: " + version.stringValue(), data));
    }
    if (REMOVED.contains(r.method()) || !KNOWN.contains(r.method())) {
      return Response.error(r.id(), JsonRpcError.of(JsonRpcError.METHOD_NOT_FOUND, "Method not found: " + r.method()));
    }
    return null;
  }

  /**
   * A server asks the client something during a stateless call: answered by the client's retry, through an
   * {@code input_required} result. Returns the reply for the server, or null when {@code related} is no stateless
   * call.
   */
  Reply interrupt(Request serverRequest, RequestId related) {
    Call call = related == null ? null : calls.get(related);
    if (call == null) {
      return null;
    }
    String needed = switch (serverRequest.method()) {
      case "sampling/createMessage" -> "sampling";
      case "elicitation/create" -> "elicitation";
      case "roots/list" -> "roots";
      default -> null;
    };
    if (needed == null || !MAY_ASK.contains(call.original.method())) {
      return Reply.error(serverRequest, JsonRpcError.METHOD_NOT_FOUND,
          serverRequest.method() + " cannot reach a stateless client during " + call.original.method());
    }
    if (!call.capabilities.has(needed)) {
      // refuse this question only: the server may do without it; if the call then fails, the client learns why
      synchronized (call) {
        call.missing.putObject(needed);
      }
      return Reply.error(serverRequest, JsonRpcError.INVALID_REQUEST, "the client does not support " + needed);
    }
    if (parked.size() >= MAX_PARKED) {
      return Reply.error(serverRequest, JsonRpcError.INTERNAL_ERROR, "too many calls wait for client input");
    }
    CompletableFuture<Response> answer = new CompletableFuture<>();
    synchronized (call) {
      call.asks.put("aegis-" + nextKey.getAndIncrement(), new Ask(serverRequest, answer));
      long now = System.nanoTime();
      if (!call.flushScheduled) {
        call.firstAsk = now;
      }
      // questions a server asks together (Promise.all) arrive close together: gather them into one result, waiting
      // until none came for COALESCE_MS, but never longer than COALESCE_MAX_MS in all
      call.flushDeadline = Math.min(now + TimeUnit.MILLISECONDS.toNanos(COALESCE_MS),
          call.firstAsk + TimeUnit.MILLISECONDS.toNanos(COALESCE_MAX_MS));
      if (!call.flushScheduled && call.currentPort != null) {
        call.flushScheduled = true;
        session.gateway().scheduler().schedule(call::flush, COALESCE_MS, TimeUnit.MILLISECONDS);
      }
    }
    return Reply.later(answer);
  }

  /** The client's retry: checks the signed state, hands the input to the waiting server, waits for what is next. */
  private void resume(Request r, ClientPort replyTo) {
    String state = Message.textOrNull(r.params(), "requestState");
    Call call = state == null ? null : parked.get(verify(state));
    if (call == null || !sameCall(call.original, r)) {
      replyTo.send(Response.error(r.id(), JsonRpcError.of(JsonRpcError.INVALID_PARAMS,
          "requestState is invalid, expired, or for another request")), r.id());
      return;
    }
    JsonNode inputs = r.params().get("inputResponses");
    if (inputs != null && !inputs.isObject()) {
      replyTo.send(Response.error(r.id(), JsonRpcError.of(JsonRpcError.INVALID_PARAMS,
          "inputResponses must be an object")), r.id());
      return;
    }
    List<Ask> answered = new java.util.ArrayList<>();
    List<JsonNode> answers = new java.util.ArrayList<>();
    ObjectNode again = null;
    synchronized (call) {
      for (java.util.Iterator<Map.Entry<String, Ask>> it = call.asks.entrySet().iterator(); it.hasNext();) {
        Map.Entry<String, Ask> e = it.next();
        JsonNode input = inputs == null ? null : inputs.get(e.getKey());
        if (input != null && input.isObject()) {
          answered.add(e.getValue());
          answers.add(input);
          it.remove();
        }
      }
      if (!call.asks.isEmpty()) {
        again = call.inputRequired(); // some questions still open: ask them again, under a new state
      } else {
        parked.remove(call.parkId);
        call.parkId = -1;
        call.currentId = r.id();
        call.currentPort = replyTo;
      }
      if (!answered.isEmpty()) {
        call.answeredAny = true;
      }
    }
    if (again != null) {
      replyTo.send(decorate(call.original.method(), Response.result(r.id(), again)), r.id());
    }
    for (int i = 0; i < answered.size(); i++) {
      Ask a = answered.get(i);
      a.future().complete(Response.result(a.serverRequest().id(), answers.get(i)));
    }
  }

  private static boolean sameCall(Request original, Request retry) {
    if (!original.method().equals(retry.method())) {
      return false;
    }
    String a = Message.textOrNull(original.params(), original.method().equals("resources/read") ? "uri" : "name");
    String b = Message.textOrNull(retry.params(), retry.method().equals("resources/read") ? "uri" : "name");
    return a != null && a.equals(b);
  }

  private String sign(long parkId, Request original) {
    String body = parkId + "." + original.method();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(body.getBytes(StandardCharsets.UTF_8)) + "."
        + mac(body);
  }

  /** The park id in a signed state, or -1 when the state is not one this gateway signed. */
  private long verify(String state) {
    int dot = state.lastIndexOf('.');
    if (dot <= 0) {
      return -1;
    }
    try {
      String body = new String(Base64.getUrlDecoder().decode(state.substring(0, dot)), StandardCharsets.UTF_8);
      if (!MessageDigest.isEqual(mac(body).getBytes(StandardCharsets.US_ASCII),
          state.substring(dot + 1).getBytes(StandardCharsets.US_ASCII))) {
        return -1;
      }
      return Long.parseLong(body.substring(0, body.indexOf('.')));
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      return -1;
    }
  }

  private String mac(String body) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(m.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /** Adds what the stateless revision requires of every answer. */
  Response decorate(String method, Response response) {
    if (response.isError()) {
      JsonRpcError e = response.error();
      if (e.code() == JsonRpcError.RESOURCE_NOT_FOUND) {
        return Response.error(response.id(), new JsonRpcError(JsonRpcError.INVALID_PARAMS, e.message(), e.data()));
      }
      return response;
    }
    if (!(response.result() instanceof ObjectNode result)) {
      return response;
    }
    ObjectNode r = result.deepCopy();
    if (!r.has("resultType")) {
      r.put("resultType", "complete");
    }
    if (CACHEABLE.contains(method)) {
      if (!r.has("ttlMs")) {
        r.put("ttlMs", 0);
      }
      if (!r.has("cacheScope")) {
        r.put("cacheScope", "private");
      }
    }
    ObjectNode meta = r.has("_meta") && r.get("_meta").isObject() ? (ObjectNode) r.get("_meta") : r.putObject("_meta");
    meta.set(META_SERVER_INFO, session.aggregator().serverInfo());
    return response.withResult(r);
  }

  private void listen(Request r, ClientPort port) {
    JsonNode filter = r.params().get("notifications");
    if (filter == null || !filter.isObject()) {
      port.send(Response.error(r.id(), JsonRpcError.of(JsonRpcError.INVALID_PARAMS,
          "subscriptions/listen needs params.notifications")), r.id());
      return;
    }
    session.ensureStarted();
    ObjectNode honored = JSON.objectNode();
    for (String k : new String[] {"toolsListChanged", "promptsListChanged", "resourcesListChanged"}) {
      if (filter.path(k).asBoolean(false)) {
        honored.put(k, true);
      }
    }
    listeners.put(r.id(), new Listener(r.id(), port, honored));
    ObjectNode params = JSON.objectNode();
    params.putObject("_meta").set(META_SUBSCRIPTION, r.id().toJson());
    params.set("notifications", honored);
    port.send(Notification.of("notifications/subscriptions/acknowledged", params), r.id());
  }

  /** A list changed upstream: tell the listeners that asked for it. */
  void listChanged(String kind) {
    String flag = kind + "ListChanged";
    for (Listener l : listeners.values()) {
      if (l.filter().path(flag).asBoolean(false)) {
        ObjectNode params = JSON.objectNode();
        params.putObject("_meta").set(META_SUBSCRIPTION, l.id().toJson());
        l.port().send(Notification.of("notifications/" + kind + "/list_changed", params), l.id());
      }
    }
  }

  /** The host stream of a listener closed. */
  void stopListening(RequestId id) {
    listeners.remove(id);
  }
}
