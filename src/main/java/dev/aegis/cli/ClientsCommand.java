package dev.aegis.cli;

import dev.aegis.config.discovery.Client;
import dev.aegis.config.discovery.ClientConfig;
import dev.aegis.config.discovery.Discovery;
import dev.aegis.config.discovery.Platform;
import dev.aegis.config.discovery.ServerEntry;
import dev.aegis.config.discovery.WrapPlan;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** {@code aegis clients}: the MCP hosts configured on this machine, their files and their servers. */
@Command(name = "clients", mixinStandardHelpOptions = true,
    description = "List the MCP clients (Claude Desktop, Claude Code, Cursor, VS Code, Windsurf, Gemini CLI) whose"
        + " configuration is found, with their files and servers.")
final class ClientsCommand implements Callable<Integer> {

  @Option(names = "--project", paramLabel = "DIR", description = "Also look for project-level files in DIR.")
  Path project;

  @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", description = "Output format.")
  String format;

  @Override
  public Integer call() {
    PrintStream out = System.out;
    if (!format.equals("text") && !format.equals("json")) {
      System.err.println("aegis: --format must be text or json, was '" + format + "'");
      return 2;
    }
    Discovery discovery = new Discovery(Platform.current(), project);
    Path home = AegisHome.resolve();
    ArrayNode json = JsonNodeFactory.instance.arrayNode();
    for (Client c : Client.values()) {
      List<ClientConfig> files = discovery.find(c);
      ObjectNode jc = json.addObject();
      jc.put("id", c.id());
      jc.put("name", c.displayName());
      jc.put("found", !files.isEmpty());
      ArrayNode searched = jc.putArray("searched");
      discovery.searched(c).forEach(p -> searched.add(p.toString()));
      ArrayNode jf = jc.putArray("files");
      if (files.isEmpty()) {
        if (format.equals("text")) {
          out.println(c.displayName() + " (" + c.id() + "): not found");
          discovery.searched(c).forEach(p -> out.println("    looked in " + p));
        }
        continue;
      }
      if (format.equals("text")) {
        out.println(c.displayName() + " (" + c.id() + ")");
      }
      for (ClientConfig f : files) {
        ObjectNode fo = jf.addObject();
        fo.put("path", f.path().toString());
        fo.put("scope", f.scope().name().toLowerCase(Locale.ROOT));
        if (!f.readable()) {
          fo.put("error", f.error());
        }
        ArrayNode servers = fo.putArray("servers");
        if (format.equals("text")) {
          out.println("  " + f.path() + " (" + f.scope().name().toLowerCase(Locale.ROOT) + ")"
              + (f.readable() ? "" : ": cannot read: " + f.error()));
          if (f.readable() && f.servers().isEmpty()) {
            out.println("    (no servers)");
          }
        }
        int width = f.servers().stream().mapToInt(s -> s.name().length()).max().orElse(0);
        for (ServerEntry s : f.servers()) {
          boolean wrapped = WrapPlan.isWrappedBy(s, home);
          ObjectNode so = servers.addObject();
          so.put("name", s.name());
          so.put("section", s.pointer());
          so.put("transport", s.transport());
          if (s.command() != null) {
            so.put("command", s.command());
            ArrayNode args = so.putArray("args");
            s.args().forEach(args::add);
          }
          if (s.url() != null) {
            so.put("url", s.url());
          }
          so.put("wrapped", wrapped);
          if (format.equals("text")) {
            out.printf("    %-" + width + "s  %-5s  %s%s%n", s.name(), s.transport(), s.target(),
                wrapped ? "  [behind Aegis]" : "");
          }
        }
      }
    }
    if (format.equals("json")) {
      ObjectNode root = JsonNodeFactory.instance.objectNode();
      root.set("clients", json);
      out.println(JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }
    return 0;
  }
}
