package dev.aegis.scan.live;

import dev.aegis.config.ServerConfig;
import dev.aegis.protocol.Codec;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.McpMethod;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.ProtocolException;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import dev.aegis.sandbox.Sandbox;
import dev.aegis.transport.MessageChannel;
import dev.aegis.transport.http.StreamableHttpClientChannel;
import dev.aegis.transport.stdio.ProcessChannel;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Connects to one configured server (a child process over stdio, or a remote one over HTTP), initializes like a host
 * would, and lists everything a model would read: tools, prompts, resources, resource templates (following
 * {@code nextCursor}, bounded) and the instructions. One deadline covers the whole server; the server is closed
 * afterwards (a child process is stopped).
 *
 * <pre>{@code
 * Listing l = Lister.list(serverConfig, Duration.ofSeconds(30));
 * }</pre>
 */
public final class Lister {
  /** Pages followed per list; a server that keeps sending cursors past this is cut off. */
  static final int MAX_PAGES = 100;
  private static final int MAX_MESSAGE = 16 << 20;
  private static final int STDERR_LINES = 5;
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String VERSION = "0.1.0";

  private final Codec codec = new Codec(MAX_MESSAGE);
  private final Map<RequestId, CompletableFuture<Response>> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong(1);
  private final Deque<String> stderr = new ArrayDeque<>();
  private final long deadline;
  private volatile Throwable closed;
  private MessageChannel channel;

  /** Starts stdio servers inside their sandbox profile (docs/sandbox.md), or null to start them as they are. */
  private final Sandbox sandbox;

  private Lister(Duration timeout, Sandbox sandbox) {
    this.deadline = System.nanoTime() + timeout.toNanos();
    this.sandbox = sandbox;
  }

  /** Lists one server within {@code timeout}, unsandboxed; see {@link #list(ServerConfig, Duration, Sandbox)}. */
  public static Listing list(ServerConfig server, Duration timeout) {
    return list(server, timeout, null);
  }

  /**
   * Lists one server within {@code timeout}; never throws for a server's failure, which goes in the listing. A stdio
   * server starts inside the profile {@code sandbox} chooses for it (the gateway's choice), unless that is null.
   */
  public static Listing list(ServerConfig server, Duration timeout, Sandbox sandbox) {
    Lister l = new Lister(timeout, sandbox);
    try {
      return l.run(server);
    } catch (TimeoutException e) {
      return Listing.failed(server.name(), "timed out after " + timeout.toSeconds() + " s " + e.getMessage()
          + l.stderrTail());
    } catch (IOException e) {
      return Listing.failed(server.name(), e.getMessage() + l.stderrTail());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Listing.failed(server.name(), "interrupted");
    } finally {
      if (l.channel != null) {
        l.channel.close();
      }
    }
  }

  private Listing run(ServerConfig server) throws IOException, TimeoutException, InterruptedException {
    channel = open(server);
    channel.start(new MessageChannel.Receiver() {
      @Override
      public void onMessage(Message m) {
        received(m);
      }

      @Override
      public void onInvalid(ProtocolException error) {
        // a server that writes logs to stdout: skip the line, as hosts do
      }

      @Override
      public void onClosed(Throwable cause) {
        closed = cause == null ? new IOException("server closed the connection") : cause;
        IOException gone = new IOException(closed.getMessage() == null ? "server closed the connection"
            : closed.getMessage());
        pending.values().forEach(f -> f.completeExceptionally(gone));
      }
    });
    ObjectNode init = JSON.objectNode();
    init.put("protocolVersion", "2025-06-18");
    init.putObject("capabilities");
    init.putObject("clientInfo").put("name", "aegis-scan").put("version", VERSION);
    Response r = request(McpMethod.INITIALIZE.wire(), init, "during initialize");
    if (r.isError()) {
      throw new IOException("initialize failed: " + r.error().message());
    }
    channel.send(Notification.of(McpMethod.INITIALIZED.wire(), null));
    JsonNode result = r.result();
    JsonNode caps = result.path("capabilities");
    String instructions = result.path("instructions").isString() ? result.path("instructions").asString() : null;
    // lists the server did not announce are asked for anyway (a gateway announces only what is ready at
    // initialize); then a refusal means "none"
    List<JsonNode> tools = page(McpMethod.TOOLS_LIST.wire(), "tools", caps.has("tools"));
    List<JsonNode> prompts = page(McpMethod.PROMPTS_LIST.wire(), "prompts", caps.has("prompts"));
    List<JsonNode> resources = page(McpMethod.RESOURCES_LIST.wire(), "resources", caps.has("resources"));
    List<JsonNode> templates = page(McpMethod.RESOURCES_TEMPLATES_LIST.wire(), "resourceTemplates", false);
    return new Listing(server.name(), instructions, tools, prompts, resources, templates, null, result);
  }

  private MessageChannel open(ServerConfig server) throws IOException {
    if (server.transport() instanceof ServerConfig.Stdio s) {
      return sandbox == null
          ? ProcessChannel.launch(s.command(), s.env(), s.cwd(), codec, server.name(), this::stderrLine)
          : sandbox.start(server.name(), s, codec, this::stderrLine);
    }
    if (server.transport() instanceof ServerConfig.Builtin b) {
      throw new IOException("the built-in " + b.kind() + " server runs inside the gateway; its tools are Aegis's own");
    }
    ServerConfig.Http h = (ServerConfig.Http) server.transport();
    return StreamableHttpClientChannel.open(h.url(), h.headers(), h.legacySse(), codec, line -> {});
  }

  /**
   * Every page of one list. A method the server does not know counts as an empty list, and so does any error to a
   * list it did not {@code announce}.
   */
  private List<JsonNode> page(String method, String field, boolean announced) throws IOException, TimeoutException,
      InterruptedException {
    List<JsonNode> out = new ArrayList<>();
    Set<String> cursors = new HashSet<>();
    String cursor = null;
    for (int i = 0; i < MAX_PAGES; i++) {
      ObjectNode params = JSON.objectNode();
      if (cursor != null) {
        params.put("cursor", cursor);
      }
      Response r = request(method, params, "listing " + field);
      if (r.isError()) {
        if (r.error().code() == JsonRpcError.METHOD_NOT_FOUND || !announced) {
          return out;
        }
        throw new IOException(method + " failed: " + r.error().message());
      }
      r.result().path(field).forEach(out::add);
      JsonNode next = r.result().path("nextCursor");
      if (!next.isString() || next.asString().isEmpty() || !cursors.add(next.asString())) {
        return out;
      }
      cursor = next.asString();
    }
    return out;
  }

  private Response request(String method, ObjectNode params, String during) throws IOException, TimeoutException,
      InterruptedException {
    RequestId id = RequestId.of(ids.getAndIncrement());
    CompletableFuture<Response> f = new CompletableFuture<>();
    pending.put(id, f);
    try {
      if (closed != null) {
        throw new IOException(closed.getMessage());
      }
      try {
        channel.send(Request.of(id, method, params));
      } catch (IOException e) {
        // A server that already exited: its channel reports why (exit code, and its stderr is in by then), which
        // says more than "Stream closed".
        try {
          f.get(Math.min(Math.max(0, deadline - System.nanoTime()), TimeUnit.SECONDS.toNanos(3)),
              TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException ignored) {
          // the ExecutionException below carries the channel's cause; a timeout keeps the write's
        }
        if (closed != null) {
          throw new IOException(closed.getMessage(), e);
        }
        throw e;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException(during);
      }
      return f.get(left, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new TimeoutException(during);
    } catch (ExecutionException e) {
      throw new IOException(e.getCause().getMessage(), e.getCause());
    } finally {
      pending.remove(id);
    }
  }

  private void received(Message m) {
    if (m instanceof Response r) {
      CompletableFuture<Response> f = pending.get(r.id());
      if (f != null) {
        f.complete(r);
      }
    } else if (m instanceof Request q) {
      // the scan offers no client features: sampling, roots and elicitation are refused, pings answered
      Response reply = McpMethod.PING.wire().equals(q.method()) ? Response.result(q.id(), JSON.objectNode())
          : Response.error(q.id(), new JsonRpcError(JsonRpcError.METHOD_NOT_FOUND,
              "aegis scan does not offer " + q.method(), null));
      try {
        channel.send(reply);
      } catch (IOException ignored) {
        // the server is going away; the pending request reports it
      }
    }
  }

  private void stderrLine(String line) {
    synchronized (stderr) {
      stderr.addLast(line);
      if (stderr.size() > STDERR_LINES) {
        stderr.removeFirst();
      }
    }
  }

  private String stderrTail() {
    synchronized (stderr) {
      return stderr.isEmpty() ? "" : " (stderr: " + String.join(" | ", stderr) + ")";
    }
  }
}
