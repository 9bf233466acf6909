package dev.aegis.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code aegis status}: the gateways running under this {@code $AEGIS_HOME}, their servers, each sandboxed server's
 * process tree (pid, CPU, memory, threads) and the last exits (with the limits that ended them). Reads the status
 * files the gateways keep current ({@link StatusFile}); files of gateways that are gone are skipped.
 *
 * <pre>{@code
 * aegis status                  # readable
 * aegis status --format json    # {"gateways":[{pid, started, servers, sandboxed, exits, ...}]}
 * }</pre>
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show running gateways, their servers, sandboxed process trees and recent exits.")
final class StatusCommand implements Callable<Integer> {
  private static final long MAX_FILE = 1 << 20;

  @Option(names = "--format", paramLabel = "FORMAT", description = "text (default) or json.")
  String format = "text";

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() throws IOException {
    if (!format.equals("text") && !format.equals("json")) {
      err.println("aegis status: --format must be text or json, was '" + format + "'");
      return 2;
    }
    Path dir = AegisHome.resolve().resolve(StatusFile.DIR);
    List<JsonNode> gateways = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "gateway-*.json")) {
        for (Path f : files) {
          JsonNode s = read(f);
          long pid = s == null ? -1 : s.path("pid").asLong(-1);
          if (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            gateways.add(s);
          }
        }
      }
    }
    gateways.sort(java.util.Comparator.comparingLong(g -> g.path("pid").asLong()));
    if (format.equals("json")) {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      ArrayNode a = o.putArray("gateways");
      gateways.forEach(a::add);
      out.println(JsonMapper.shared().writeValueAsString(o));
      return 0;
    }
    if (gateways.isEmpty()) {
      out.println("no gateway running under " + dir.getParent());
      return 0;
    }
    for (JsonNode g : gateways) {
      out.println("gateway pid " + g.path("pid").asLong() + ", since " + g.path("started").asString("?")
          + (g.path("listen").isString() ? ", listening on " + g.path("listen").asString() : ", stdio")
          + ", " + g.path("sessions").asInt() + " session(s)"
          + (g.path("config").isString() ? ", config " + g.path("config").asString() : ""));
      List<String> servers = new ArrayList<>();
      g.path("servers").forEach(s -> servers.add(s.path("name").asString() + " (" + s.path("transport").asString()
          + ", sandbox " + s.path("sandboxChoice").asString(s.path("sandbox").asString()) + ")"));
      out.println("  servers: " + (servers.isEmpty() ? "none" : String.join(", ", servers)));
      for (JsonNode l : g.path("sandboxed")) {
        out.printf(Locale.ROOT, "  running: %s pid %d since %s, cpu %.2f s, rss %d MiB, %d threads%n",
            l.path("server").asString(), l.path("pid").asLong(), l.path("since").asString(),
            l.path("cpuSeconds").asDouble(), l.path("rssBytes").asLong() >> 20, l.path("threads").asInt());
      }
      for (JsonNode x : g.path("exits")) {
        List<String> hit = new ArrayList<>();
        x.path("limitsHit").forEach(h -> hit.add(h.asString()));
        out.printf(Locale.ROOT, "  exited: %s pid %d code %d%s, cpu %.2f s, max rss %d MiB%n",
            x.path("server").asString(), x.path("pid").asLong(), x.path("exitCode").asInt(),
            x.path("killedByLimit").asBoolean() ? ", killed by limit" + (hit.isEmpty() ? "" : " (" + String.join(", ",
                hit) + ")") : hit.isEmpty() ? "" : " (limits hit: " + String.join(", ", hit) + ")",
            x.path("cpuSeconds").asDouble(), x.path("maxRssBytes").asLong() >> 20);
      }
    }
    return 0;
  }

  /** A status file, or null when it is unreadable, too big or not JSON (a gateway may be rewriting it). */
  private static JsonNode read(Path f) {
    try {
      if (Files.size(f) > MAX_FILE) {
        return null;
      }
      JsonNode n = JsonMapper.shared().readTree(Files.readString(f));
      return n != null && n.isObject() ? n : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
