package dev.aegis.cli;

import dev.aegis.config.GatewayConfig;
import dev.aegis.config.ServerConfig;
import dev.aegis.gateway.Gateway;
import dev.aegis.sandbox.SandboxMonitor;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a running gateway tells {@code aegis status}: a JSON file per gateway process,
 * {@code $AEGIS_HOME/status/gateway-PID.json}, rewritten every few seconds and removed when the gateway stops. It holds
 * the configured servers, each sandboxed server's process tree as last sampled, and the last exits.
 */
final class StatusFile {
  static final String DIR = "status";
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private StatusFile() {}

  static Path of(Path home, long pid) {
    return home.resolve(DIR).resolve("gateway-" + pid + ".json");
  }

  /** The status of {@code gateway} now. */
  static ObjectNode snapshot(Gateway gateway, GatewayConfig config, Path file, String listen, Instant started) {
    ObjectNode o = JSON.objectNode();
    o.put("pid", ProcessHandle.current().pid());
    o.put("started", started.toString());
    o.put("config", file == null ? null : file.toString());
    o.put("listen", listen);
    o.put("sessions", gateway.sessionCount());
    ArrayNode servers = o.putArray("servers");
    for (ServerConfig s : config.servers()) {
      ObjectNode e = servers.addObject();
      e.put("name", s.name());
      e.put("transport", s.transport() instanceof ServerConfig.Stdio ? "stdio"
          : s.transport() instanceof ServerConfig.Builtin b ? "builtin:" + b.kind() : "http");
      if (s.transport() instanceof ServerConfig.Stdio stdio) {
        dev.aegis.sandbox.Sandbox.Choice c = gateway.sandbox().choose(s.name(), stdio);
        e.put("sandbox", c.profileName() == null ? "off" : c.profileName());
        e.put("sandboxChoice", gateway.sandbox().effective(s.name(), stdio));
      } else {
        e.put("sandbox", "off");
      }
    }
    ArrayNode live = o.putArray("sandboxed");
    for (SandboxMonitor.Live l : gateway.sandbox().live()) {
      live.addObject().put("server", l.server()).put("pid", l.pid()).put("since", l.since().toString())
          .put("cpuSeconds", l.cpuSeconds()).put("rssBytes", l.rssBytes()).put("threads", l.threads());
    }
    ArrayNode exits = o.putArray("exits");
    for (SandboxMonitor.Exit x : gateway.sandbox().recentExits()) {
      exits.add(exit(x));
    }
    return o;
  }

  static ObjectNode exit(SandboxMonitor.Exit x) {
    ObjectNode e = JSON.objectNode();
    e.put("server", x.server());
    e.put("pid", x.pid());
    e.put("exitCode", x.exitCode());
    e.put("cpuSeconds", x.cpuSeconds());
    e.put("maxRssBytes", x.maxRssBytes());
    e.put("maxThreads", x.maxThreads());
    e.put("killedByLimit", x.killedByLimit());
    ArrayNode hit = e.putArray("limitsHit");
    x.limitsHit().forEach(hit::add);
    return e;
  }

  /** Writes {@code status} to {@code target} atomically (owner-only folder). */
  static void write(Path target, ObjectNode status) throws IOException {
    Path dir = target.getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".gateway-", ".tmp");
    try {
      Files.writeString(tmp, JsonMapper.shared().writeValueAsString(status));
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
