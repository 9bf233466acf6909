package dev.aegis.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What {@code session.mjs} reported: the server's initialize answer, every step's outcome by label, and every
 * notification and server-initiated request the client saw, in arrival order. Accessors that expect something fail
 * with the whole session's summary and the tail of the client's stderr (which carries the stdio gateway's log).
 */
final class SessionReport {
  private final JsonNode root;
  private final String stderr;

  private SessionReport(JsonNode root, String stderr) {
    this.root = root;
    this.stderr = stderr;
  }

  static SessionReport parse(String stdout, String stderr) {
    String last = stdout.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(null);
    if (last == null) {
      throw new AssertionError("the SDK client printed no report; stdout:\n" + stdout + "\nstderr:\n" + stderr);
    }
    return new SessionReport(JsonMapper.builder().build().readTree(last), stderr);
  }

  JsonNode root() {
    return root;
  }

  /** What the client wrote to stderr; over stdio that includes the gateway's own log. */
  String clientStderr() {
    return stderr;
  }

  /** True when the client connected and ran every step (each step may still have failed). */
  boolean completed() {
    return root.path("ok").asBoolean(false);
  }

  String sessionId() {
    JsonNode id = root.path("sessionId");
    return id.isString() ? id.stringValue() : null;
  }

  JsonNode step(String label) {
    for (JsonNode s : root.path("steps")) {
      if (label.equals(s.path("label").stringValue(null))) {
        return s;
      }
    }
    throw new AssertionError("no step '" + label + "' in the report\n" + describe());
  }

  /** The result of a step that must have succeeded. */
  JsonNode result(String label) {
    JsonNode s = step(label);
    if (!s.path("ok").asBoolean(false)) {
      throw new AssertionError("step '" + label + "' failed: " + s.path("error") + "\n" + describe());
    }
    return s.path("result");
  }

  /** The JSON-RPC error of a step that must have failed. */
  JsonNode error(String label) {
    JsonNode s = step(label);
    if (s.path("ok").asBoolean(false)) {
      throw new AssertionError("step '" + label + "' was expected to fail but returned " + s.path("result") + "\n"
          + describe());
    }
    return s.path("error");
  }

  /** The text content of a successful tool call (or prompt messages), joined by newlines. */
  String text(String label) {
    JsonNode r = result(label);
    List<String> texts = new ArrayList<>();
    for (JsonNode c : r.path("content")) {
      if ("text".equals(c.path("type").stringValue(null))) {
        texts.add(c.path("text").stringValue(""));
      }
    }
    for (JsonNode m : r.path("messages")) {
      JsonNode c = m.path("content");
      if ("text".equals(c.path("type").stringValue(null))) {
        texts.add(c.path("text").stringValue(""));
      }
    }
    for (JsonNode c : r.path("contents")) {
      if (c.path("text").isString()) {
        texts.add(c.path("text").stringValue());
      }
    }
    return String.join("\n", texts);
  }

  /** Names (or URIs) from a {@code listAll} step: {@code kind} is tools, prompts, resources or resourceTemplates. */
  List<String> listed(String label, String kind) {
    List<String> names = new ArrayList<>();
    result(label).path(kind).path("names").forEach(n -> names.add(n.asString()));
    return names;
  }

  int pages(String label, String kind) {
    return result(label).path(kind).path("pages").asInt();
  }

  List<JsonNode> notifications(String method) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode n : root.path("notifications")) {
      if (method.equals(n.path("method").stringValue(null))) {
        out.add(n);
      }
    }
    return out;
  }

  List<JsonNode> serverRequests(String method) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode n : root.path("serverRequests")) {
      if (method.equals(n.path("method").stringValue(null))) {
        out.add(n);
      }
    }
    return out;
  }

  /** A summary for failure messages: errors, each step's outcome, notifications and the client's stderr tail. */
  String describe() {
    StringBuilder b = new StringBuilder("SDK client session: completed=").append(completed());
    root.path("errors").forEach(e -> b.append("\n  error: ").append(e.asString()));
    for (JsonNode s : root.path("steps")) {
      b.append("\n  ").append(s.path("label").asString()).append(": ");
      if (s.path("ok").asBoolean(false)) {
        String r = s.path("result").toString();
        b.append("ok ").append(r.length() > 300 ? r.substring(0, 300) + "..." : r);
      } else {
        b.append("FAILED ").append(s.path("error"));
      }
    }
    b.append("\n  notifications:");
    for (JsonNode n : root.path("notifications")) {
      String p = n.path("params").toString();
      b.append("\n    ").append(n.path("method").asString()).append(' ')
          .append(p.length() > 160 ? p.substring(0, 160) + "..." : p);
    }
    b.append("\n  server requests:");
    root.path("serverRequests").forEach(r -> b.append(' ').append(r.path("method").asString()));
    List<String> lines = stderr.lines().toList();
    b.append("\n  client stderr (tail):\n");
    lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> b.append("    ").append(l).append('\n'));
    return b.toString();
  }

  @Override
  public String toString() {
    return describe();
  }

  static void assertCompleted(SessionReport report) {
    assertThat(report.completed()).as(report::describe).isTrue();
  }
}
