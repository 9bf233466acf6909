package dev.aegis.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What {@code interop/clients/session.mjs} does: how it connects, what it declares and answers when a server asks,
 * and its steps, each with a label to find its outcome by in the {@link SessionReport}.
 *
 * <pre>{@code
 * SessionPlan plan = SessionPlan.overStdio(Interop.gatewayCommand(config), Map.of("AEGIS_HOME", home.toString()))
 *     .declare(true, true, true)
 *     .samplingAnswer("canned");
 * plan.callTool("echo", "everything__echo").putObject("arguments").put("message", "hi");
 * }</pre>
 */
final class SessionPlan {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private final ObjectNode root = JSON.objectNode();
  private final ArrayNode steps = root.putArray("steps");
  private final ObjectNode answers = root.putObject("answers");
  private Duration timeout = Duration.ofSeconds(60);

  private SessionPlan() {
    root.put("timeoutMs", timeout.toMillis());
  }

  /** The client launches {@code command} and speaks MCP over its stdin/stdout. */
  static SessionPlan overStdio(List<String> command, Map<String, String> env) {
    SessionPlan p = new SessionPlan();
    ObjectNode s = p.root.putObject("transport").putObject("stdio");
    s.put("command", command.get(0));
    command.subList(1, command.size()).forEach(s.putArray("args")::add);
    ObjectNode e = s.putObject("env");
    env.forEach(e::put);
    return p;
  }

  /** The client speaks Streamable HTTP to {@code url}. */
  static SessionPlan overHttp(String url) {
    return overHttp(url, Map.of());
  }

  /** Over Streamable HTTP, sending {@code headers} (an {@code Authorization} header, say) with every request. */
  static SessionPlan overHttp(String url, Map<String, String> headers) {
    SessionPlan p = new SessionPlan();
    ObjectNode t = p.root.putObject("transport");
    t.put("url", url);
    if (!headers.isEmpty()) {
      headers.forEach(t.putObject("headers")::put);
    }
    return p;
  }

  SessionPlan clientName(String name) {
    root.put("clientName", name);
    return this;
  }

  /** The whole session's bound, enforced by the script itself (it reports what it has and exits 3). */
  SessionPlan timeout(Duration timeout) {
    this.timeout = timeout;
    root.put("timeoutMs", timeout.toMillis());
    return this;
  }

  Duration timeout() {
    return timeout;
  }

  /** Which client capabilities the client declares (and answers). */
  SessionPlan declare(boolean sampling, boolean elicitation, boolean roots) {
    ObjectNode c = root.putObject("capabilities");
    c.put("sampling", sampling);
    c.put("elicitation", elicitation);
    c.put("roots", roots);
    return this;
  }

  SessionPlan samplingAnswer(String text) {
    answers.put("samplingText", text);
    return this;
  }

  /** Accepts every elicitation with {@code content}. */
  SessionPlan elicitationAnswer(Map<String, String> content) {
    ObjectNode e = answers.putObject("elicitation");
    e.put("action", "accept");
    ObjectNode c = e.putObject("content");
    content.forEach(c::put);
    return this;
  }

  /** The roots answered to {@code roots/list}, as name to directory. */
  SessionPlan roots(Map<String, Path> roots) {
    roots(answers.putArray("roots"), roots);
    return this;
  }

  // ------------------------------------------------------------------------------------------ steps

  ObjectNode step(String label, String op) {
    ObjectNode s = steps.addObject();
    s.put("label", label);
    s.put("op", op);
    return s;
  }

  ObjectNode listAll(String label) {
    return step(label, "listAll");
  }

  /** A tool call; add {@code arguments} (and {@code progressToken}) to the returned node. */
  ObjectNode callTool(String label, String tool) {
    ObjectNode s = step(label, "callTool");
    s.put("name", tool);
    s.putObject("arguments");
    return s;
  }

  ObjectNode callTool(String label, String tool, Map<String, ?> arguments) {
    ObjectNode s = callTool(label, tool);
    s.set("arguments", toTree(arguments));
    return s;
  }

  /** Calls a tool until its text contains {@code contains}, for changes a server applies asynchronously. */
  ObjectNode callUntil(String label, String tool, String contains, Duration atMost) {
    ObjectNode s = callTool(label, tool);
    s.put("op", "callUntil");
    s.put("contains", contains);
    s.put("timeoutMs", atMost.toMillis());
    return s;
  }

  ObjectNode readResource(String label, String uri) {
    return step(label, "readResource").put("uri", uri);
  }

  ObjectNode getPrompt(String label, String name, Map<String, String> arguments) {
    ObjectNode s = step(label, "getPrompt").put("name", name);
    ObjectNode a = s.putObject("arguments");
    arguments.forEach(a::put);
    return s;
  }

  ObjectNode completePrompt(String label, String prompt, String argument, String value) {
    ObjectNode s = step(label, "complete");
    s.putObject("ref").put("type", "ref/prompt").put("name", prompt);
    s.putObject("argument").put("name", argument).put("value", value);
    return s;
  }

  ObjectNode completeTemplate(String label, String uriTemplate, String argument, String value) {
    ObjectNode s = step(label, "complete");
    s.putObject("ref").put("type", "ref/resource").put("uri", uriTemplate);
    s.putObject("argument").put("name", argument).put("value", value);
    return s;
  }

  ObjectNode subscribe(String label, String uri) {
    return step(label, "subscribe").put("uri", uri);
  }

  ObjectNode setLevel(String label, String level) {
    return step(label, "setLevel").put("level", level);
  }

  /** Waits for a notification with this method whose params contain {@code contains} (null: any). */
  ObjectNode waitFor(String label, String method, String contains, Duration atMost) {
    ObjectNode s = step(label, "waitFor").put("method", method).put("timeoutMs", atMost.toMillis());
    if (contains != null) {
      s.put("contains", contains);
    }
    return s;
  }

  ObjectNode request(String label, String method) {
    return step(label, "request").put("method", method);
  }

  /** Changes the roots the client answers and sends {@code notifications/roots/list_changed}. */
  ObjectNode setRoots(String label, Map<String, Path> roots) {
    ObjectNode s = step(label, "setRoots");
    roots(s.putArray("roots"), roots);
    return s;
  }

  /** Waits until {@code parties} sessions wrote their name into {@code dir}: they overlap from here on. */
  ObjectNode barrier(String label, Path dir, String name, int parties) {
    return step(label, "barrier").put("dir", dir.toString()).put("name", name).put("parties", parties);
  }

  Path write(Path file) {
    try {
      Files.writeString(file, JsonMapper.builder().build().writeValueAsString(root));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void roots(ArrayNode array, Map<String, Path> roots) {
    roots.forEach((name, dir) -> array.addObject().put("uri", dir.toUri().toString().replaceAll("/$", ""))
        .put("name", name));
  }

  private static ObjectNode toTree(Map<String, ?> map) {
    return JsonMapper.builder().build().valueToTree(map);
  }
}
