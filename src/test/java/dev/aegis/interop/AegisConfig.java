package dev.aegis.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A gateway configuration file for a test. Written as JSON, which the YAML loader reads as well, so that paths need
 * no quoting rules of their own.
 *
 * <pre>{@code
 * Path file = new AegisConfig()
 *     .stdio("everything", List.of("node", everything, "stdio"), Map.of())
 *     .url("remote", "http://127.0.0.1:8123/mcp")
 *     .gateway("requestTimeout", "5s")
 *     .write(dir.resolve("aegis.yaml"));
 * }</pre>
 */
final class AegisConfig {
  private final ObjectNode root = JsonNodeFactory.instance.objectNode();
  private final ObjectNode servers = root.putObject("servers");
  private final ObjectNode gateway = root.putObject("gateway");

  /** A server run as a child process: {@code command.get(0)} with the rest as args. */
  AegisConfig stdio(String name, List<String> command, Map<String, String> env) {
    ObjectNode s = servers.putObject(name);
    s.put("command", command.get(0));
    command.subList(1, command.size()).forEach(s.putArray("args")::add);
    if (!env.isEmpty()) {
      ObjectNode e = s.putObject("env");
      env.forEach(e::put);
    }
    return this;
  }

  /** A remote server over Streamable HTTP. */
  AegisConfig url(String name, String url) {
    servers.putObject(name).put("url", url);
    return this;
  }

  AegisConfig gateway(String key, String value) {
    gateway.put(key, value);
    return this;
  }

  AegisConfig gateway(String key, int value) {
    gateway.put(key, value);
    return this;
  }

  /** A top-level section (trust, policy, identity, pin...) as JSON text. */
  AegisConfig section(String name, String json) {
    root.set(name, JsonMapper.builder().build().readTree(json));
    return this;
  }

  Path write(Path file) {
    try {
      Files.writeString(file, JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(root));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
