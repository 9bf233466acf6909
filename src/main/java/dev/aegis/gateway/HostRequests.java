package dev.aegis.gateway;

import dev.aegis.chain.Reply;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import dev.aegis.transport.ClientPort;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The requests servers send to one session's host (sampling, elicitation, roots): each goes out under an id of the
 * session's own, so servers can never collide with each other, and the host's answer goes back to the server under
 * the server's id. Bounded in number and in time.
 */
final class HostRequests {
  private record Pending(UpstreamConnection upstream, RequestId serverId, CompletableFuture<Response> future) {}

  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  /** Progress tokens of pending requests, so the host's progress reports reach the server that asked. */
  private final Map<JsonNode, UpstreamConnection> progressTokens = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong(1);
  private final Gateway gateway;
  private final String sessionId;

  HostRequests(Gateway gateway, String sessionId) {
    this.gateway = gateway;
    this.sessionId = sessionId;
  }

  /** Sends {@code request} from {@code upstream} to the host; the reply carries the host's answer. */
  Reply send(UpstreamConnection upstream, Request request, ClientPort host, RequestId related) {
    if (host == null) {
      return Reply.error(request, JsonRpcError.METHOD_NOT_FOUND,
          "stateless clients cannot receive " + request.method() + " requests");
    }
    if (pending.size() >= GatewaySession.MAX_IN_FLIGHT) {
      return Reply.error(request, JsonRpcError.INTERNAL_ERROR, "too many requests wait for the host");
    }
    long id = nextId.getAndIncrement();
    CompletableFuture<Response> future = new CompletableFuture<>();
    pending.put(id, new Pending(upstream, request.id(), future));
    JsonNode token = request.params() == null ? null : request.params().path("_meta").get("progressToken");
    if (token != null) {
      progressTokens.put(token, upstream);
      future.whenComplete((r, e) -> progressTokens.remove(token, upstream));
    }
    Duration timeout = gateway.config().requestTimeout();
    gateway.scheduler().schedule(() -> {
      Pending p = pending.remove(id);
      if (p != null) {
        p.future().complete(Response.error(request.id(), JsonRpcError.of(JsonRpcError.UPSTREAM_TIMEOUT,
            "the host did not answer " + request.method() + " within " + timeout.toMillis() + " ms")));
      }
    }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    host.send(request.withId(RequestId.of(id)), related);
    return Reply.later(future.thenApply(r -> r.withId(request.id())));
  }

  /** The host's answer to one of these requests. */
  void answer(Response response) {
    if (!(response.id() instanceof RequestId.Number n)) {
      gateway.log().debug("session " + sessionId + ": host answered an id the gateway never used: " + response.id());
      return;
    }
    Pending p = pending.remove(n.value());
    if (p == null) {
      gateway.log().debug("session " + sessionId + ": host answered unknown request " + n.value());
      return;
    }
    p.future().complete(response);
  }

  /**
   * A server cancelling one of its own requests to the host: rewritten to the id the host saw, or null when that
   * request is no longer pending.
   */
  Notification translateCancel(UpstreamConnection upstream, Notification n) {
    JsonNode id = n.params() == null ? null : n.params().get("requestId");
    for (Map.Entry<Long, Pending> e : pending.entrySet()) {
      Pending p = e.getValue();
      if (p.upstream() == upstream && id != null && p.serverId().toJson().equals(id)) {
        pending.remove(e.getKey());
        ObjectNode params = Message.shallowCopy(n.params());
        params.put("requestId", e.getKey());
        return n.withParams(params);
      }
    }
    return null;
  }

  /** The server that asked the host a question carrying this progress token, or null. */
  UpstreamConnection progressTarget(JsonNode token) {
    return token == null ? null : progressTokens.get(token);
  }

  /** The session closed: every server still waiting gets an error. */
  void closeAll() {
    for (Pending p : pending.values()) {
      p.future().complete(Response.error(p.serverId(), JsonRpcError.of(JsonRpcError.SESSION_CLOSED,
          "the host session closed")));
    }
    pending.clear();
  }
}
