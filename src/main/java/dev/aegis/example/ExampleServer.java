package dev.aegis.example;

import dev.aegis.protocol.Codec;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.McpMethod;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.ProtocolVersion;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import dev.aegis.transport.stdio.StreamChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The bundled example MCP server over stdio. Tools {@code echo} and {@code add}, a resource and a prompt; with test
 * tools enabled also {@code crash}, {@code hang}, {@code freeze}, {@code slow}, {@code big}, {@code counter},
 * {@code change_tools}, {@code stderr} and {@code sample}, and the sandbox probes {@code net}, {@code fork},
 * {@code alloc}, {@code env} and {@code read_path} (each succeeds unsandboxed and must fail inside a sandbox).
 *
 * <pre>{@code new ExampleServer(true).serve(System.in, System.out); }</pre>
 */
public final class ExampleServer {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private final boolean testTools;
  private final Codec codec = new Codec(64 * 1024 * 1024);
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "example-timer");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong progressSeen = new AtomicLong();
  private final java.util.Set<String> subscribed = new java.util.concurrent.ConcurrentSkipListSet<>();
  private volatile String logLevel = "none";
  private final AtomicLong nextId = new AtomicLong(1);
  private final Map<Long, CompletableFuture<Response>> asked = new ConcurrentHashMap<>();
  private volatile boolean extraTool;
  /** Text appended to echo's description: by the redefine test tool, or per instance (see the constructor). */
  private volatile String echoExtra = "";
  /** After redefine with breaking=true: echo's parameter is renamed, as a breaking change would. */
  private volatile boolean echoBroken;
  private volatile boolean frozen;
  private StreamChannel channel;

  public ExampleServer(boolean testTools) {
    this.testTools = testTools;
    String counter = testTools ? System.getenv("AEGIS_EXAMPLE_INSTANCE_FILE") : null;
    if (counter != null) {
      // a server that shows each session (each process) a different echo: what pinning must catch
      long n = nextInstance(java.nio.file.Path.of(counter));
      echoExtra = n > 1 ? " (instance " + n + ")" : "";
    }
  }

  /** Increments the number in {@code file} under a file lock and returns it (1 for the first process). */
  private static long nextInstance(java.nio.file.Path file) {
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.READ,
        java.nio.file.StandardOpenOption.WRITE); java.nio.channels.FileLock lock = ch.lock()) {
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(32);
      ch.read(buf, 0);
      String text = new String(buf.array(), 0, buf.position(), java.nio.charset.StandardCharsets.US_ASCII).trim();
      long n = (text.isEmpty() ? 0 : Long.parseLong(text)) + 1;
      ch.truncate(0);
      ch.write(java.nio.ByteBuffer.wrap(Long.toString(n).getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 0);
      return n;
    } catch (java.io.IOException | NumberFormatException e) {
      return 1;
    }
  }

  /** Serves until stdin closes. */
  public void serve(InputStream in, OutputStream out) throws InterruptedException {
    channel = new StreamChannel(in, out, codec, "example");
    channel.serve(message -> {
      if (!frozen) {
        handle(message);
      }
    });
  }

  private void handle(Message message) {
    if (message instanceof Notification n && McpMethod.PROGRESS.wire().equals(n.method())) {
      progressSeen.incrementAndGet();
      return;
    }
    if (message instanceof Response r) {
      if (r.id() instanceof RequestId.Number n) {
        CompletableFuture<Response> f = asked.remove(n.value());
        if (f != null) {
          f.complete(r);
        }
      }
      return;
    }
    if (!(message instanceof Request r)) {
      return;
    }
    McpMethod m = r.knownMethod();
    if (m == null) {
      send(Response.error(r.id(), JsonRpcError.of(JsonRpcError.METHOD_NOT_FOUND, "Method not found: " + r.method())));
      return;
    }
    switch (m) {
      case INITIALIZE -> send(Response.result(r.id(), initialize(r.params())));
      case PING -> send(Response.result(r.id(), JSON.objectNode()));
      case TOOLS_LIST -> send(Response.result(r.id(), toolsList()));
      case TOOLS_CALL -> call(r);
      case RESOURCES_LIST -> send(Response.result(r.id(), resourcesList()));
      case RESOURCES_READ -> read(r);
      case PROMPTS_LIST -> send(Response.result(r.id(), promptsList()));
      case PROMPTS_GET -> prompt(r);
      case RESOURCES_SUBSCRIBE -> {
        subscribed.add(String.valueOf(Message.textOrNull(r.params(), "uri")));
        send(Response.result(r.id(), JSON.objectNode()));
      }
      case RESOURCES_UNSUBSCRIBE -> {
        subscribed.remove(String.valueOf(Message.textOrNull(r.params(), "uri")));
        send(Response.result(r.id(), JSON.objectNode()));
      }
      case LOGGING_SET_LEVEL -> {
        logLevel = String.valueOf(Message.textOrNull(r.params(), "level"));
        send(Response.result(r.id(), JSON.objectNode()));
      }
      default -> send(Response.error(r.id(), JsonRpcError.of(JsonRpcError.METHOD_NOT_FOUND,
          "Method not found: " + r.method())));
    }
  }

  private ObjectNode initialize(ObjectNode params) {
    String requested = params == null ? null : Message.textOrNull(params, "protocolVersion");
    ObjectNode result = JSON.objectNode();
    result.put("protocolVersion", ProtocolVersion.negotiate(requested).wire());
    ObjectNode caps = result.putObject("capabilities");
    caps.putObject("tools").put("listChanged", true);
    caps.putObject("resources").put("subscribe", true);
    caps.putObject("prompts");
    caps.putObject("logging");
    ObjectNode info = result.putObject("serverInfo");
    info.put("name", "aegis-example");
    info.put("version", "1.0.0");
    result.put("instructions", "An example server: echo text back, or add two numbers.");
    return result;
  }

  private ObjectNode toolsList() {
    ObjectNode result = JSON.objectNode();
    ArrayNode tools = result.putArray("tools");
    tools.add(tool("echo", "Echoes the message back." + echoExtra, echoBroken ? "text" : "message", "string"));
    ObjectNode add = tool("add", "Adds two numbers.", "a", "number");
    ((ObjectNode) add.get("inputSchema").get("properties")).putObject("b").put("type", "number");
    ((ArrayNode) add.get("inputSchema").get("required")).add("b");
    add.putObject("annotations").put("readOnlyHint", true);
    tools.add(add);
    if (testTools) {
      tools.add(tool("crash", "Exits the server process without answering.", null, null));
      tools.add(tool("hang", "Never answers this call.", null, null));
      tools.add(tool("freeze", "Stops answering anything, pings included.", null, null));
      tools.add(tool("slow", "Answers after ms milliseconds.", "ms", "integer"));
      tools.add(tool("big", "Answers with bytes characters of text.", "bytes", "integer"));
      tools.add(tool("counter", "Counts the calls this server process has answered.", null, null));
      tools.add(tool("change_tools", "Adds a tool named extra and says the list changed.", null, null));
      tools.add(tool("stderr", "Writes text to stderr.", "text", "string"));
      tools.add(tool("sample", "Asks the client to sample a message and returns its text.", "prompt", "string"));
      tools.add(tool("progress_seen", "Counts the progress notifications the client sent this server.", null, null));
      tools.add(tool("state", "Reports this process's resource subscriptions and log level.", null, null));
      tools.add(tool("redefine", "Appends text to echo's description (breaking=true also renames its parameter)"
          + " and says the list changed.", "text", "string"));
      // probes of a sandbox (docs/sandbox.md): each succeeds unsandboxed and must fail inside one
      tools.add(tool("net", "Opens a TCP connection to 127.0.0.1:port.", "port", "integer"));
      tools.add(tool("fork", "Starts count child processes (sleep 60), reports how many started, then ends them.",
          "count", "integer"));
      tools.add(tool("alloc", "Allocates and touches mb megabytes of memory.", "mb", "integer"));
      tools.add(tool("env", "Returns the value of the environment variable name.", "name", "string"));
      tools.add(tool("read_path", "Returns the text of the file at path.", "path", "string"));
      if (extraTool) {
        tools.add(tool("extra", "Appeared after change_tools.", null, null));
      }
    }
    return result;
  }

  private static ObjectNode tool(String name, String description, String param, String type) {
    ObjectNode t = JSON.objectNode();
    t.put("name", name);
    t.put("description", description);
    ObjectNode schema = t.putObject("inputSchema");
    schema.put("type", "object");
    ObjectNode props = schema.putObject("properties");
    ArrayNode required = schema.putArray("required");
    if (param != null) {
      props.putObject(param).put("type", type);
      required.add(param);
    }
    return t;
  }

  private void call(Request r) {
    ObjectNode params = r.params();
    String name = Message.textOrNull(params, "name");
    JsonNode args = params == null ? JSON.objectNode() : params.path("arguments");
    long n = calls.incrementAndGet();
    if (name == null) {
      send(Response.error(r.id(), JsonRpcError.of(JsonRpcError.INVALID_PARAMS, "tools/call needs a name")));
      return;
    }
    switch (name) {
      case "echo" -> send(text(r, "Echo: " + args.path("message").asString("")));
      case "add" -> send(text(r, String.valueOf(args.path("a").asDouble(0) + args.path("b").asDouble(0))));
      case "crash" -> {
        if (testTools) {
          Runtime.getRuntime().halt(3);
        }
      }
      case "hang" -> {
        // never answered
      }
      case "freeze" -> frozen = true;
      case "slow" -> timer.schedule(() -> send(text(r, "slept " + args.path("ms").asLong(0) + " ms")),
          Math.max(0, args.path("ms").asLong(0)), TimeUnit.MILLISECONDS);
      case "big" -> send(text(r, "x".repeat((int) Math.min(Math.max(0, args.path("bytes").asLong(0)), 64L << 20))));
      case "counter" -> send(text(r, String.valueOf(n)));
      case "progress_seen" -> send(text(r, String.valueOf(progressSeen.get())));
      case "state" -> send(text(r, "subscribed=" + subscribed + " level=" + logLevel));
      case "change_tools" -> {
        extraTool = true;
        send(Notification.of(McpMethod.TOOLS_LIST_CHANGED.wire(), null));
        send(text(r, "tools changed"));
      }
      case "stderr" -> {
        System.err.println(args.path("text").asString(""));
        send(text(r, "written"));
      }
      case "sample" -> sample(r, args.path("prompt").asString("hello"));
      case "extra" -> send(text(r, "extra"));
      case "net", "fork", "alloc", "env", "read_path" -> {
        if (testTools) {
          send(probe(r, name, args));
        } else {
          send(Response.error(r.id(), JsonRpcError.of(JsonRpcError.INVALID_PARAMS, "Unknown tool: " + name)));
        }
      }
      case "redefine" -> {
        echoExtra = " " + args.path("text").asString("");
        echoBroken = args.path("breaking").asBoolean(false);
        send(Notification.of(McpMethod.TOOLS_LIST_CHANGED.wire(), null));
        send(text(r, "echo redefined"));
      }
      default -> send(Response.error(r.id(), JsonRpcError.of(JsonRpcError.INVALID_PARAMS, "Unknown tool: " + name)));
    }
  }

  /** A sandbox probe: the text says what happened; a failure is a tool error result naming the exception. */
  private Response probe(Request r, String name, JsonNode args) {
    try {
      return text(r, switch (name) {
        case "net" -> {
          try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", args.path("port").asInt(0)), 5000);
            yield "connected";
          }
        }
        case "fork" -> {
          int want = Math.min(Math.max(0, args.path("count").asInt(0)), 10_000);
          java.util.List<Process> started = new java.util.ArrayList<>();
          try {
            for (int i = 0; i < want; i++) {
              started.add(new ProcessBuilder("sleep", "60").start());
            }
            yield "started " + started.size();
          } finally {
            started.forEach(Process::destroyForcibly);
          }
        }
        case "alloc" -> {
          int mb = Math.min(Math.max(0, args.path("mb").asInt(0)), 64 * 1024);
          java.util.List<byte[]> held = new java.util.ArrayList<>();
          for (int i = 0; i < mb; i++) {
            byte[] chunk = new byte[1 << 20];
            for (int j = 0; j < chunk.length; j += 4096) {
              chunk[j] = 1;
            }
            held.add(chunk);
          }
          yield "allocated " + held.size() + " MiB";
        }
        case "env" -> {
          String v = System.getenv(args.path("name").asString(""));
          if (v == null) {
            throw new IllegalStateException("not set");
          }
          yield v;
        }
        default -> java.nio.file.Files.readString(java.nio.file.Path.of(args.path("path").asString("")));
      });
    } catch (Exception | OutOfMemoryError e) {
      ObjectNode result = JSON.objectNode();
      result.putArray("content").addObject().put("type", "text").put("text", name + " failed: " + e);
      result.put("isError", true);
      return Response.result(r.id(), result);
    }
  }

  private void sample(Request r, String prompt) {
    long id = nextId.getAndIncrement();
    CompletableFuture<Response> f = new CompletableFuture<>();
    asked.put(id, f);
    ObjectNode p = JSON.objectNode();
    ArrayNode messages = p.putArray("messages");
    ObjectNode msg = messages.addObject();
    msg.put("role", "user");
    msg.putObject("content").put("type", "text").put("text", prompt);
    p.put("maxTokens", 50);
    p.putObject("_meta").put("progressToken", "sample-" + id);
    send(Request.of(RequestId.of(id), McpMethod.SAMPLING_CREATE_MESSAGE.wire(), p));
    f.orTimeout(30, TimeUnit.SECONDS).whenComplete((resp, e) -> {
      if (e != null || resp.isError()) {
        send(Response.error(r.id(), JsonRpcError.of(JsonRpcError.INTERNAL_ERROR,
            "sampling failed: " + (e != null ? e : resp.error().message()))));
      } else {
        send(text(r, "sampled: " + resp.result().path("content").path("text").asString("")));
      }
    });
  }

  private ObjectNode resourcesList() {
    ObjectNode result = JSON.objectNode();
    ObjectNode res = result.putArray("resources").addObject();
    res.put("uri", "example://greeting");
    res.put("name", "greeting");
    res.put("mimeType", "text/plain");
    return result;
  }

  private void read(Request r) {
    String uri = Message.textOrNull(r.params(), "uri");
    if (!"example://greeting".equals(uri)) {
      ObjectNode data = JSON.objectNode();
      data.put("uri", uri);
      send(Response.error(r.id(), new JsonRpcError(JsonRpcError.RESOURCE_NOT_FOUND, "Resource not found", data)));
      return;
    }
    ObjectNode result = JSON.objectNode();
    ObjectNode c = result.putArray("contents").addObject();
    c.put("uri", uri);
    c.put("mimeType", "text/plain");
    c.put("text", "Hello from the example server.");
    send(Response.result(r.id(), result));
  }

  private ObjectNode promptsList() {
    ObjectNode result = JSON.objectNode();
    ObjectNode p = result.putArray("prompts").addObject();
    p.put("name", "greet");
    p.put("description", "Greets someone.");
    ObjectNode arg = p.putArray("arguments").addObject();
    arg.put("name", "name");
    arg.put("required", true);
    return result;
  }

  private void prompt(Request r) {
    String name = Message.textOrNull(r.params(), "name");
    if (!"greet".equals(name)) {
      send(Response.error(r.id(), JsonRpcError.of(JsonRpcError.INVALID_PARAMS, "Unknown prompt: " + name)));
      return;
    }
    String who = r.params().path("arguments").path("name").asString("world");
    ObjectNode result = JSON.objectNode();
    ObjectNode msg = result.putArray("messages").addObject();
    msg.put("role", "user");
    msg.putObject("content").put("type", "text").put("text", "Say hello to " + who + ".");
    send(Response.result(r.id(), result));
  }

  /** A tool result with one text content item, answering {@code r}. */
  public static Response text(Request r, String text) {
    ObjectNode result = JSON.objectNode();
    result.putArray("content").addObject().put("type", "text").put("text", text);
    return Response.result(r.id(), result);
  }

  private void send(Message m) {
    try {
      channel.send(m);
    } catch (IOException e) {
      System.err.println("example: cannot write: " + e.getMessage());
    }
  }
}
