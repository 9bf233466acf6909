package dev.aegis.demo;

import dev.aegis.gateway.Gateway;
import dev.aegis.protocol.Codec;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.ProtocolException;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import dev.aegis.transport.stdio.StdioServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A small MCP client session with the gateway over its real stdio transport on OS pipes: what a host does, minus the
 * model. Every wait has a deadline.
 */
final class DemoClient implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private final Codec codec = new Codec(64 << 20);
  private final OutputStream toGateway;
  private final LinkedBlockingQueue<Message> inbox = new LinkedBlockingQueue<>();
  private final List<Message> unclaimed = new ArrayList<>();
  private final AtomicLong ids = new AtomicLong(1);
  private final Thread server;

  DemoClient(Gateway gateway) throws IOException {
    this(gateway, null);
  }

  /** A client whose session acts for {@code caller} (null: the gateway's stdio principal). */
  DemoClient(Gateway gateway, dev.aegis.transport.Caller caller) throws IOException {
    dev.aegis.transport.SessionFactory sessions = caller == null ? gateway : new dev.aegis.transport.SessionFactory() {
      @Override
      public dev.aegis.transport.ServerSession open(String transport, dev.aegis.transport.ClientPort port) {
        return gateway.open(transport, port, caller);
      }

      @Override
      public dev.aegis.transport.ServerSession stateless(dev.aegis.transport.ClientPort port) {
        return gateway.stateless(port);
      }
    };
    Pipe in = Pipe.open();
    Pipe out = Pipe.open();
    toGateway = Channels.newOutputStream(in.sink());
    StdioServer stdio = new StdioServer(Channels.newInputStream(in.source()), Channels.newOutputStream(out.sink()),
        gateway.codec(), sessions, line -> {});
    server = new Thread(() -> {
      try {
        stdio.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "demo-gateway-stdio");
    server.setDaemon(true);
    server.start();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(Channels.newInputStream(out.source()),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          try {
            inbox.add(codec.decodeOne(line.getBytes(StandardCharsets.UTF_8)));
          } catch (ProtocolException e) {
            // not for a demo to judge; skip it
          }
        }
      } catch (IOException e) {
        // closed
      }
    }, "demo-client-reader");
    reader.setDaemon(true);
    reader.start();
  }

  private void send(Message m) throws IOException {
    synchronized (toGateway) {
      toGateway.write((codec.encodeToString(m) + "\n").getBytes(StandardCharsets.UTF_8));
      toGateway.flush();
    }
  }

  /** Sends a request and waits for its response; throws if none comes in time. */
  Response request(String method, ObjectNode params) throws IOException, InterruptedException {
    RequestId id = RequestId.of(ids.getAndIncrement());
    send(Request.of(id, method, params));
    Message m = await(x -> x instanceof Response r && id.equals(r.id()), WAIT);
    if (m == null) {
      throw new IOException("no answer to " + method + " within " + WAIT.toSeconds() + " s");
    }
    return (Response) m;
  }

  /** initialize, then notifications/initialized. */
  Response initialize() throws IOException, InterruptedException {
    ObjectNode p = JSON.objectNode();
    p.put("protocolVersion", "2025-06-18");
    p.putObject("capabilities");
    p.putObject("clientInfo").put("name", "aegis-demo-agent").put("version", Gateway.VERSION);
    Response r = request("initialize", p);
    send(Notification.of("notifications/initialized", null));
    return r;
  }

  /** The tools the gateway offers now (name, description, inputSchema...). */
  List<JsonNode> tools() throws IOException, InterruptedException {
    Response r = request("tools/list", JSON.objectNode());
    List<JsonNode> out = new ArrayList<>();
    if (!r.isError()) {
      r.result().path("tools").forEach(out::add);
    }
    return out;
  }

  Response call(String tool, ObjectNode arguments) throws IOException, InterruptedException {
    ObjectNode p = JSON.objectNode();
    p.put("name", tool);
    p.set("arguments", arguments);
    return request("tools/call", p);
  }

  /** Whether a notification with this method arrives within the wait (or already did). */
  boolean notified(String method, Duration wait) throws InterruptedException {
    return await(x -> x instanceof Notification n && method.equals(n.method()), wait) != null;
  }

  private Message await(Predicate<Message> match, Duration wait) throws InterruptedException {
    synchronized (unclaimed) {
      for (Message m : unclaimed) {
        if (match.test(m)) {
          unclaimed.remove(m);
          return m;
        }
      }
    }
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      Message m = inbox.poll(left, TimeUnit.NANOSECONDS);
      if (m == null) {
        return null;
      }
      if (match.test(m)) {
        return m;
      }
      synchronized (unclaimed) {
        unclaimed.add(m);
      }
    }
  }

  /** Text of a tool result's content, joined; the error message for an error. */
  static String text(Response r) {
    if (r.isError()) {
      return "error: " + r.error().message();
    }
    StringBuilder sb = new StringBuilder();
    r.result().path("content").forEach(c -> sb.append(c.path("text").asString("")));
    return sb.toString();
  }

  @Override
  public void close() {
    try {
      toGateway.close();
    } catch (IOException ignored) {
      // already closed
    }
    try {
      server.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
