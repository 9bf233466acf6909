package dev.aegis.transport.http;

import dev.aegis.protocol.Message;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import dev.aegis.transport.ClientPort;
import dev.aegis.transport.ServerSession;
import dev.aegis.transport.SessionFactory;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A hand-written gateway for transport tests. Each request is answered asynchronously from another thread with a
 * result naming its method; a few methods script more:
 * <ul>
 *   <li>{@code slow/progress}: a related progress notification, then the response;
 *   <li>{@code hold}: a related progress notification; the response only on {@link EchoSession#release};
 *   <li>{@code hold/quiet}: nothing until {@link EchoSession#release};
 *   <li>{@code notify/unrelated}: an unrelated {@code tools/list_changed}, then the response;
 *   <li>{@code tools/list} and {@code tools/call}: valid MCP results (one tool, {@code echo}), for SDK clients;
 * </ul>
 * {@code notifications/initialized} is answered with an unrelated log message (for the GET stream).
 */
final class EchoSessions implements SessionFactory {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  final Map<String, EchoSession> byId = new ConcurrentHashMap<>();
  final BlockingQueue<EchoSession> opened = new LinkedBlockingQueue<>();
  final BlockingQueue<Message> statelessReceived = new LinkedBlockingQueue<>();
  final CountDownLatch statelessClosed = new CountDownLatch(1);
  private final ExecutorService replies = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "echo-replies");
    t.setDaemon(true);
    return t;
  });

  @Override
  public ServerSession open(String transport, ClientPort port) {
    EchoSession s = new EchoSession(UUID.randomUUID().toString(), port, false);
    byId.put(s.id(), s);
    opened.add(s);
    return s;
  }

  @Override
  public ServerSession stateless(ClientPort port) {
    return new EchoSession("stateless", port, true);
  }

  void shutdown() {
    replies.shutdownNow();
  }

  final class EchoSession implements ServerSession {
    final String id;
    final ClientPort port;
    final boolean stateless;
    final BlockingQueue<Message> received = new LinkedBlockingQueue<>();
    final CountDownLatch closed = new CountDownLatch(1);
    private final Map<RequestId, Request> held = new ConcurrentHashMap<>();

    EchoSession(String id, ClientPort port, boolean stateless) {
      this.id = id;
      this.port = port;
      this.stateless = stateless;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public void receive(Message message) {
      (stateless ? statelessReceived : received).add(message);
      if (message instanceof Request r) {
        replies.execute(() -> answer(r));
      } else if (message instanceof Notification n && n.method().equals("notifications/initialized")) {
        ObjectNode p = JSON.objectNode().put("level", "info").put("data", "hello from " + id);
        replies.execute(() -> port.send(Notification.of("notifications/message", p), null));
      }
    }

    /** Sends a message unrelated to any request (it belongs on the GET stream). */
    void push(Message m) {
      port.send(m, null);
    }

    /** Whether a {@code hold} request with this id is waiting. */
    boolean holds(RequestId id) {
      return held.containsKey(id);
    }

    /** Answers a {@code hold} request. */
    void release(RequestId id) {
      Request r = held.remove(id);
      if (r == null) {
        throw new IllegalStateException("no held request " + id);
      }
      port.send(result(r), id);
    }

    private void answer(Request r) {
      switch (r.method()) {
        case "initialize" -> {
          ObjectNode result = JSON.objectNode().put("protocolVersion", "2025-06-18");
          result.putObject("capabilities").putObject("tools");
          result.putObject("serverInfo").put("name", "echo").put("version", "1");
          port.send(Response.result(r.id(), result), r.id());
        }
        case "tools/list" -> {
          ObjectNode result = JSON.objectNode();
          ObjectNode tool = result.putArray("tools").addObject().put("name", "echo");
          tool.putObject("inputSchema").put("type", "object");
          port.send(Response.result(r.id(), result), r.id());
        }
        case "tools/call" -> {
          ObjectNode result = JSON.objectNode();
          result.putArray("content").addObject().put("type", "text").put("text", "echo " + r.params());
          port.send(Response.result(r.id(), result), r.id());
        }
        case "slow/progress" -> {
          port.send(progress(r, 1), r.id());
          port.send(result(r), r.id());
        }
        case "hold" -> {
          held.put(r.id(), r);
          port.send(progress(r, 1), r.id());
        }
        case "hold/quiet" -> held.put(r.id(), r);
        case "notify/unrelated" -> {
          port.send(Notification.of("notifications/tools/list_changed", null), null);
          port.send(result(r), r.id());
        }
        default -> port.send(result(r), r.id());
      }
    }

    private Response result(Request r) {
      ObjectNode result = JSON.objectNode().put("method", r.method()).put("stateless", stateless);
      if (r.params() != null) {
        result.set("echo", r.params());
      }
      return Response.result(r.id(), result);
    }

    private Notification progress(Request r, int n) {
      ObjectNode p = JSON.objectNode();
      p.set("progressToken", r.params() != null && r.params().path("_meta").has("progressToken")
          ? r.params().path("_meta").get("progressToken") : JSON.stringNode("t"));
      p.put("progress", n);
      return Notification.of("notifications/progress", p);
    }

    @Override
    public void close() {
      if (stateless) {
        statelessClosed.countDown();
      }
      closed.countDown();
    }
  }
}
