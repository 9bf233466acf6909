package dev.aegis.sandbox;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** A real MCP client over a child process's stdio: newline-delimited JSON-RPC, one reader thread. */
final class McpProcess implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private final Process process;
  private final OutputStream in;
  private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong(1);
  private final StringBuffer stderr = new StringBuffer();
  private final CompletableFuture<Void> ended = new CompletableFuture<>();

  private McpProcess(Process process) {
    this.process = process;
    this.in = process.getOutputStream();
    Thread out = new Thread(this::readOut, "mcp-out");
    out.setDaemon(true);
    out.start();
    Thread err = new Thread(this::readErr, "mcp-err");
    err.setDaemon(true);
    err.start();
  }

  /** Starts {@code command} with {@code extraEnv} added to this JVM's environment. */
  static McpProcess start(List<String> command, Map<String, String> extraEnv) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(extraEnv);
    return new McpProcess(pb.start());
  }

  long pid() {
    return process.pid();
  }

  private void readOut() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        JsonNode msg = JSON.readTree(line);
        if (msg.has("id") && (msg.has("result") || msg.has("error"))) {
          CompletableFuture<JsonNode> f = pending.remove(msg.get("id").asLong());
          if (f != null) {
            f.complete(msg);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // the process ended
    } finally {
      IOException gone = new IOException("server closed its stdout; stderr: " + stderr);
      pending.values().forEach(f -> f.completeExceptionally(gone));
      ended.complete(null);
    }
  }

  private void readErr() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (stderr.length() < 64 * 1024) {
          stderr.append(line).append('\n');
        }
      }
    } catch (IOException e) {
      // ended
    }
  }

  String stderr() {
    return stderr.toString();
  }

  /** Sends a request and waits for its response (the whole envelope). */
  JsonNode request(String method, JsonNode params) throws Exception {
    long id = ids.getAndIncrement();
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.put(id, f);
    ObjectNode msg = JSON.createObjectNode();
    msg.put("jsonrpc", "2.0");
    msg.put("id", id);
    msg.put("method", method);
    if (params != null) {
      msg.set("params", params);
    }
    synchronized (in) {
      in.write((JSON.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
    }
    return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** {@code initialize} then {@code notifications/initialized}; returns the initialize result. */
  JsonNode initialize() throws Exception {
    ObjectNode p = JSON.createObjectNode();
    p.put("protocolVersion", "2025-06-18");
    p.putObject("capabilities");
    p.putObject("clientInfo").put("name", "sandbox-test").put("version", "1");
    JsonNode r = request("initialize", p);
    synchronized (in) {
      in.write("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
    }
    return r.path("result");
  }

  /** Calls a tool; the result object ({@code content}, {@code isError}), or the error envelope when it failed. */
  JsonNode call(String tool, Map<String, Object> args) throws Exception {
    ObjectNode p = JSON.createObjectNode();
    p.put("name", tool);
    p.set("arguments", JSON.valueToTree(args));
    JsonNode r = request("tools/call", p);
    return r.has("result") ? r.get("result") : r;
  }

  /** The text of a call's first content item, or the error message. */
  static String text(JsonNode result) {
    if (result.has("error")) {
      return "error: " + result.path("error").path("message").asString("");
    }
    return result.path("content").path(0).path("text").asString("");
  }

  static boolean failed(JsonNode result) {
    return result.has("error") || result.path("isError").asBoolean(false);
  }

  CompletableFuture<Void> ended() {
    return ended;
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException ignored) {
      // gone
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
