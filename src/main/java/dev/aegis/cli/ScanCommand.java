package dev.aegis.cli;

import dev.aegis.config.ConfigException;
import dev.aegis.config.ConfigLoader;
import dev.aegis.config.SandboxConfig;
import dev.aegis.config.ServerConfig;
import dev.aegis.config.discovery.Client;
import dev.aegis.config.discovery.Discovery;
import dev.aegis.config.discovery.Platform;
import dev.aegis.sandbox.Sandbox;
import dev.aegis.scan.Report;
import dev.aegis.scan.RuleSet;
import dev.aegis.scan.Scanner;
import dev.aegis.scan.Severity;
import dev.aegis.scan.Surface;
import dev.aegis.scan.Thresholds;
import dev.aegis.scan.live.LiveScan;
import dev.aegis.scan.live.Target;
import dev.aegis.scan.live.Targets;
import dev.aegis.scan.report.Baseline;
import dev.aegis.scan.report.JsonFormat;
import dev.aegis.scan.report.SarifFormat;
import dev.aegis.scan.report.ServerScan;
import dev.aegis.scan.report.Summary;
import dev.aegis.scan.report.TextFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code aegis scan}: scans MCP servers' tools, prompts, resources and instructions for poisoning, live (the servers
 * configured in the installed clients, a config file, one command or URL) or offline (a tools file, a JSONL of
 * texts). Exit codes: 0 clean, 1 a finding at or above {@code --fail-on}, 2 usage or input error, 3 a server could not
 * be scanned.
 *
 * <pre>{@code
 * aegis scan --tools tools.json --format json --fail-on high
 * aegis scan --command "npx -y @modelcontextprotocol/server-everything"
 * }</pre>
 */
@Command(name = "scan", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Scan MCP servers for poisoned tool definitions, prompts, resources and instructions: the servers"
        + " of the installed clients (default), a config file, one server (--command, --url, -- CMD ARGS), or"
        + " offline files (--tools, --texts). See docs/scanning.md.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:no finding at or above --fail-on, every server scanned",
        "1:a finding at or above --fail-on", "2:usage or input error (bad option, file, rule file, baseline)",
        "3:a server could not be scanned (did not start, timed out)"})
final class ScanCommand implements Callable<Integer> {
  static final String VERSION = "0.1.0";
  static final int MAX_LINE = 16 << 20;

  @Option(names = "--client", paramLabel = "NAME", description = "Only this client's configuration (see 'aegis"
      + " clients').")
  String client;

  @Option(names = "--project", paramLabel = "DIR", description = "Also scan project-level client files in DIR.")
  Path project;

  @Option(names = "--config", paramLabel = "FILE", description = "Scan the servers of this file: Aegis YAML or a"
      + " client's mcpServers JSON.")
  Path config;

  @Option(names = "--command", paramLabel = "CMDLINE", description = "Scan one stdio server started by this command"
      + " line (split on spaces; quotes group).")
  String command;

  @Option(names = "--url", paramLabel = "URL", description = "Scan one remote server (Streamable HTTP).")
  URI url;

  @Option(names = "--header", paramLabel = "NAME:VALUE", description = "Header sent to --url (repeatable).")
  List<String> headers = new ArrayList<>();

  @Option(names = "--sse", description = "--url speaks the old HTTP+SSE transport (2024-11-05).")
  boolean sse;

  @Option(names = "--tools", paramLabel = "FILE", description = "Offline: a JSON array of tools, a tools/list result"
      + " or a JSON-RPC response holding one.")
  Path tools;

  @Option(names = "--texts", paramLabel = "FILE", description = "Offline: JSON lines {\"id\",\"text\"}, each scanned"
      + " as a tool output; results stream out in order.")
  Path texts;

  @Option(names = "--name", paramLabel = "NAME", description = "Server name for --command, --url, --tools, --texts"
      + " (baseline subjects are NAME/tool).")
  String name;

  @Option(names = "--format", paramLabel = "text|json|sarif", defaultValue = "text", description = "Output format"
      + " (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--output", paramLabel = "FILE", description = "Write the report here instead of stdout.")
  Path output;

  @Option(names = "--fail-on", paramLabel = "SEVERITY", description = "Exit 1 when an unsuppressed finding is at or"
      + " above: info, low, medium, high, critical (default: never).")
  String failOn;

  @Option(names = "--warn-at", paramLabel = "SEVERITY", defaultValue = "medium", description = "Lowest severity"
      + " that makes a subject 'warn' (default: ${DEFAULT-VALUE}).")
  String warnAt;

  @Option(names = "--block-at", paramLabel = "SEVERITY", defaultValue = "high", description = "Lowest severity that"
      + " makes a subject 'block' (default: ${DEFAULT-VALUE}).")
  String blockAt;

  @Option(names = "--rules", paramLabel = "FILE", description = "A rule file layered over the built-in rules"
      + " (repeatable).")
  List<Path> ruleFiles = new ArrayList<>();

  @Option(names = "--baseline", paramLabel = "FILE", description = "Silence the findings listed in this baseline.")
  Path baselineFile;

  @Option(names = "--write-baseline", paramLabel = "FILE", description = "Write the current findings (plus"
      + " --baseline's) as a baseline to FILE.")
  Path writeBaseline;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30", description = "Per server: start,"
      + " initialize and list within this (default: ${DEFAULT-VALUE}).")
  int timeout;

  @Option(names = "--no-sandbox", description = "Start stdio servers as they are, not in the sandbox profile the"
      + " gateway would choose for them (docs/sandbox.md).")
  boolean noSandbox;

  /** The sandbox section servers are started under: the --config file's when it is Aegis YAML, else the default. */
  private SandboxConfig sandboxConfig = SandboxConfig.DEFAULT;

  @Option(names = "--all", description = "Text format: also list subjects without findings.")
  boolean all;

  @Option(names = {"-q", "--quiet"}, description = "No progress lines on stderr.")
  boolean quiet;

  @Parameters(paramLabel = "CMD", arity = "0..*", description = "After --: the command line of one stdio server.")
  List<String> commandLine = new ArrayList<>();

  /** Where errors and progress go; a test may replace it. */
  PrintStream err = System.err;
  private RuleSet rules;
  private Thresholds thresholds;
  private Baseline baseline = new Baseline(List.of());
  private final Map<String, Scanner> scanners = new HashMap<>();


  @Override
  public Integer call() {
    try {
      setUp();
      PrintStream out = output == null ? System.out
          : new PrintStream(Files.newOutputStream(output), false, StandardCharsets.UTF_8);
      try {
        return run(out);
      } finally {
        out.flush();
        if (output != null) {
          out.close();
        }
      }
    } catch (InputError e) {
      err.println("aegis scan: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("aegis scan: " + e.getMessage());
      return 2;
    }
  }

  private void setUp() throws InputError {
    if (!List.of("text", "json", "sarif").contains(format)) {
      throw new InputError("--format must be text, json or sarif; was '" + format + "'");
    }
    if (timeout <= 0) {
      throw new InputError("--timeout must be a positive number of seconds; was " + timeout);
    }
    Severity failSeverity = failOn == null ? null : severity("--fail-on", failOn);
    try {
      thresholds = new Thresholds(severity("--warn-at", warnAt), severity("--block-at", blockAt));
    } catch (IllegalArgumentException e) {
      throw new InputError("--warn-at must not be above --block-at");
    }
    int modes = (config != null ? 1 : 0) + (command != null ? 1 : 0) + (url != null ? 1 : 0)
        + (tools != null ? 1 : 0) + (texts != null ? 1 : 0) + (commandLine.isEmpty() ? 0 : 1);
    if (modes > 1) {
      throw new InputError("give one of --config, --command, --url, --tools, --texts or -- CMD ARGS");
    }
    if (client != null && modes > 0) {
      throw new InputError("--client chooses among the installed clients; it does not combine with a target");
    }
    if (client != null && Client.byId(client) == null) {
      throw new InputError("unknown client '" + client + "'; known: "
          + java.util.Arrays.stream(Client.values()).map(Client::id).toList());
    }
    try {
      rules = RuleSet.builtInWith(ruleFiles);
    } catch (IllegalArgumentException e) {
      throw new InputError("rule file errors:\n  " + e.getMessage().replace("\n", "\n  "));
    }
    if (baselineFile != null) {
      try {
        baseline = Baseline.read(baselineFile);
      } catch (IOException e) {
        throw new InputError(e.getMessage().startsWith(baselineFile.toString()) ? e.getMessage()
            : baselineFile + ": cannot read baseline: " + e.getMessage());
      }
    }
    this.failSeverity = failSeverity;
  }

  private Severity failSeverity;

  private static Severity severity(String option, String text) throws InputError {
    try {
      return Severity.parse(text);
    } catch (IllegalArgumentException e) {
      throw new InputError(option + ": " + e.getMessage());
    }
  }

  /** The scanner for one server: the rules, plus the baseline's entries for that server as suppressions. */
  private Scanner scanner(String server) {
    return scanners.computeIfAbsent(server, s -> {
      var sups = baseline.forServer(s);
      return new Scanner(sups.isEmpty() ? rules : rules.withSuppressions(sups), thresholds);
    });
  }

  private int run(PrintStream out) throws InputError, IOException {
    if (texts != null) {
      return scanTexts(out);
    }
    List<ServerScan> scans;
    if (tools != null) {
      String server = name != null ? name : tools.getFileName().toString();
      List<JsonNode> list = readTools(tools);
      scans = List.of(new ServerScan(server, tools.toString(), tools, null,
          scanner(server).scanTools(list, Scanner.Known.NONE)));
    } else {
      List<Target> targets = targets();
      Sandbox sandbox = noSandbox ? null : new Sandbox(sandboxConfig, info -> { }, this::note);
      scans = LiveScan.run(targets, this::scanner, Duration.ofSeconds(timeout), quiet ? null : err, sandbox);
    }
    Summary sum = new Summary();
    sum.addAll(scans);
    List<dev.aegis.trust.ToxicFlows.Flow> flows = tools != null ? List.of() : toxicFlows(scans);
    switch (format) {
      case "json" -> out.println(tools != null ? JsonFormat.tools(scans.get(0)) : withFlows(JsonFormat.servers(scans),
          flows));
      case "sarif" -> out.println(SarifFormat.render(scans, rules, VERSION, Path.of("")));
      default -> {
        TextFormat.servers(out, scans, all);
        if (!flows.isEmpty()) {
          out.println("toxic flows (an untrusted source, private data and a public sink in one session; label them"
              + " under trust: in the gateway so such a chain needs approval, see docs/access.md):");
          flows.forEach(f -> out.println("  " + f));
          out.println();
        }
        out.println(sum);
      }
    }
    if (writeBaseline != null) {
      Baseline written = baseline.plus(Baseline.of(scans));
      written.write(writeBaseline);
      note("wrote " + written.entries().size() + " accepted finding(s) to " + writeBaseline
          + "; replace each 'reason' with why it is acceptable");
    }
    return exitCode(sum);
  }

  private int exitCode(Summary sum) {
    if (failSeverity != null && sum.reaches(failSeverity)) {
      return 1;
    }
    return sum.errors() > 0 ? 3 : 0;
  }

  private void note(String line) {
    if (!quiet) {
      err.println("aegis scan: " + line);
    }
  }

  // ---- offline ----

  /** The tools of a file: an array, {@code {"tools":[...]}}, or a JSON-RPC response whose result is that. */
  static List<JsonNode> readTools(Path file) throws InputError {
    JsonNode root = ToolFiles.readJson(file);
    JsonNode list = root;
    if (list.isObject() && list.has("result")) {
      list = list.get("result");
    }
    if (list.isObject() && list.has("tools")) {
      list = list.get("tools");
    }
    if (!list.isArray()) {
      throw new InputError(file + ": expected a JSON array of tools, a tools/list result {\"tools\":[...]} or a"
          + " JSON-RPC response holding one");
    }
    return ToolFiles.tools(file, list);
  }

  /** Streams a JSONL file of {@code {"id","text"}}: one result per line, in order, as each is scanned. */
  private int scanTexts(PrintStream out) throws InputError, IOException {
    String server = name != null ? name : texts.getFileName().toString();
    Scanner scanner = scanner(server);
    Summary sum = new Summary();
    List<Report> kept = new ArrayList<>();
    boolean keep = format.equals("sarif") || writeBaseline != null;
    BufferedReader in;
    try {
      in = Files.newBufferedReader(texts, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new InputError(texts + ": cannot read: " + e.getMessage());
    }
    try (in) {
      int lineNo = 0;
      String line;
      while ((line = readLine(in, texts, lineNo + 1)) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode rec;
        try {
          rec = JsonMapper.shared().readTree(line);
        } catch (JacksonException e) {
          throw new InputError(texts + ":" + lineNo + ": not JSON: " + e.getOriginalMessage());
        }
        if (!rec.isObject() || !rec.path("id").isValueNode() || !rec.path("text").isString()) {
          throw new InputError(texts + ":" + lineNo + ": expected {\"id\": ..., \"text\": \"...\"}");
        }
        Report r = scanner.scanText(rec.get("id").asString(), rec.get("text").asString(), Surface.OUTPUT);
        sum.add(r);
        if (keep) {
          kept.add(r);
        }
        if (format.equals("json")) {
          out.println(JsonFormat.text(r));
        } else if (format.equals("text") && (all || !r.findings().isEmpty())) {
          TextFormat.report(out, "", r);
        }
      }
    } catch (InputError e) {
      out.flush();
      throw e;
    }
    ServerScan scan = new ServerScan(server, texts.toString(), texts, null, kept);
    if (format.equals("sarif")) {
      out.println(SarifFormat.render(List.of(scan), rules, VERSION, Path.of("")));
    } else if (format.equals("text")) {
      out.println(sum);
    }
    if (writeBaseline != null) {
      Baseline written = baseline.plus(Baseline.of(List.of(scan)));
      written.write(writeBaseline);
      note("wrote " + written.entries().size() + " accepted finding(s) to " + writeBaseline);
    }
    return exitCode(sum);
  }

  /** One line, refusing lines longer than {@link #MAX_LINE} characters so that one record cannot exhaust memory. */
  private static String readLine(BufferedReader in, Path file, int lineNo) throws IOException, InputError {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        return sb.toString();
      }
      if (sb.length() >= MAX_LINE) {
        throw new InputError(file + ":" + lineNo + ": line longer than " + MAX_LINE + " characters");
      }
      sb.append((char) c);
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  // ---- live ----

  /** Toxic flows across all the servers scanned together (one host's configuration, or one --config file). */
  private static List<dev.aegis.trust.ToxicFlows.Flow> toxicFlows(List<ServerScan> scans) {
    java.util.Map<String, List<JsonNode>> byServer = new java.util.LinkedHashMap<>();
    scans.forEach(s -> byServer.put(s.name(), s.tools()));
    return dev.aegis.trust.ToxicFlows.find(byServer);
  }

  private static String withFlows(String json, List<dev.aegis.trust.ToxicFlows.Flow> flows) {
    ObjectNode root = (ObjectNode) JsonMapper.shared().readTree(json);
    ArrayNode list = root.putArray("toxicFlows");
    for (dev.aegis.trust.ToxicFlows.Flow f : flows) {
      list.addObject().put("untrusted", f.untrusted()).put("private", f.privateSource()).put("sink", f.sink());
    }
    return JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(root);
  }

  private List<Target> targets() throws InputError {
    if (command != null || !commandLine.isEmpty()) {
      List<String> line = command != null ? Targets.split(command) : commandLine;
      if (line.isEmpty()) {
        throw new InputError("--command is empty");
      }
      return List.of(Targets.command(line, name));
    }
    if (url != null) {
      if (url.getScheme() == null || !url.getScheme().startsWith("http") || url.getHost() == null) {
        throw new InputError("--url must be an http:// or https:// address; was '" + url + "'");
      }
      Map<String, String> h = new LinkedHashMap<>();
      for (String header : headers) {
        int colon = header.indexOf(':');
        if (colon <= 0) {
          throw new InputError("--header must be NAME:VALUE; was '" + header + "'");
        }
        h.put(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
      }
      String server = name != null ? name : url.getHost();
      return List.of(new Target(new ServerConfig(server, server, new ServerConfig.Http(url, h, sse)),
          (sse ? "sse: " : "http: ") + url, null));
    }
    if (config != null) {
      ConfigLoader.Loaded loaded;
      try {
        loaded = ConfigLoader.load(config);
      } catch (ConfigException e) {
        throw new InputError(String.join("\n  ", e.errors()));
      }
      loaded.warnings().forEach(w -> note(w));
      sandboxConfig = loaded.config().sandbox();
      List<Target> out = new ArrayList<>();
      for (ServerConfig s : loaded.config().servers()) {
        Target t = new Target(s, config.toString(), config);
        out.add(new Target(s, config + " " + t.describe(), config));
      }
      return out;
    }
    List<Client> clients = client != null ? List.of(Client.byId(client)) : List.of(Client.values());
    List<Target> found = Targets.installed(new Discovery(Platform.current(), project), clients, this::note);
    if (found.isEmpty()) {
      note("no MCP servers found in the installed clients' configuration"
          + (client == null ? "" : " of " + client) + " (see 'aegis clients')");
    }
    return found;
  }
}
