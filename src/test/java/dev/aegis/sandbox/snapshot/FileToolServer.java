package dev.aegis.sandbox.snapshot;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A tiny stdio MCP server for tests that changes files in its working directory: {@code apply} runs a list of
 * operations ({@code write path text}, {@code delete path}, {@code rename path to}, {@code mkdir path},
 * {@code chmod path mode}, {@code symlink path to}); {@code read} (annotated read-only) returns a file's text.
 */
public final class FileToolServer {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private FileToolServer() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    Path cwd = Path.of("").toAbsolutePath();
    String line;
    while ((line = in.readLine()) != null) {
      JsonNode msg = JSON.readTree(line);
      if (!msg.has("id") || !msg.has("method")) {
        continue;
      }
      ObjectNode reply = JSON.createObjectNode();
      reply.put("jsonrpc", "2.0");
      reply.set("id", msg.get("id"));
      JsonNode params = msg.path("params");
      switch (msg.path("method").asString()) {
        case "initialize" -> {
          ObjectNode r = reply.putObject("result");
          r.put("protocolVersion", params.path("protocolVersion").asString("2025-06-18"));
          r.putObject("capabilities").putObject("tools");
          r.putObject("serverInfo").put("name", "file-tools").put("version", "1.0.0");
        }
        case "ping" -> reply.putObject("result");
        case "tools/list" -> {
          var tools = reply.putObject("result").putArray("tools");
          ObjectNode apply = tools.addObject().put("name", "apply").put("description", "Changes files.");
          apply.putObject("inputSchema").put("type", "object");
          ObjectNode read = tools.addObject().put("name", "read").put("description", "Reads a file.");
          read.putObject("inputSchema").put("type", "object");
          read.putObject("annotations").put("readOnlyHint", true);
        }
        case "tools/call" -> {
          String text;
          try {
            text = call(cwd, params.path("name").asString(""), params.path("arguments"));
          } catch (Exception e) {
            text = "failed: " + e;
          }
          ObjectNode r = reply.putObject("result");
          r.putArray("content").addObject().put("type", "text").put("text", text);
        }
        default -> reply.putObject("error").put("code", -32601).put("message", "no such method");
      }
      out.println(JSON.writeValueAsString(reply));
    }
  }

  private static String call(Path cwd, String tool, JsonNode args) throws Exception {
    if (tool.equals("read")) {
      return Files.readString(cwd.resolve(args.path("path").asString()));
    }
    for (JsonNode op : args.path("ops")) {
      Path p = cwd.resolve(op.path("path").asString());
      switch (op.path("op").asString()) {
        case "write" -> {
          Files.createDirectories(p.getParent());
          Files.writeString(p, op.path("text").asString());
        }
        case "delete" -> Files.delete(p);
        case "rename" -> Files.move(p, cwd.resolve(op.path("to").asString()));
        case "mkdir" -> Files.createDirectories(p);
        case "chmod" -> Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(op.path("mode").asString()));
        case "symlink" -> Files.createSymbolicLink(p, Path.of(op.path("to").asString()));
        default -> throw new IllegalArgumentException("unknown op " + op);
      }
    }
    return "applied " + args.path("ops").size() + " operations";
  }
}
