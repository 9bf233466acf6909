package dev.aegis.cli;

import dev.aegis.config.ConfigException;
import dev.aegis.config.ConfigLoader;
import dev.aegis.config.GatewayConfig;
import dev.aegis.config.ServerConfig;
import dev.aegis.pin.Fingerprints;
import dev.aegis.pin.Identity;
import dev.aegis.pin.Lockfile;
import dev.aegis.pin.PinGuard;
import dev.aegis.pin.PinStore;
import dev.aegis.scan.Report;
import dev.aegis.scan.Scanner;
import dev.aegis.scan.Verdict;
import dev.aegis.scan.live.Lister;
import dev.aegis.scan.live.Listing;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import tools.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aegis pin}: connects to each configured server, lists its tools, prompts and resource templates, and records
 * them in the lockfile as approved by you. Definitions the scanner blocks are left out (and reported) unless
 * {@code --accept-findings}: pinning is an approval, and a poisoned tool should not be approved by accident.
 *
 * <pre>{@code
 * aegis pin --config aegis.yaml                  # every server
 * aegis pin --config aegis.yaml --server github  # one server
 * }</pre>
 */
@Command(name = "pin", mixinStandardHelpOptions = true,
    description = "Record what each configured server offers (tools, prompts, resource templates) in the lockfile,"
        + " approved by you. The gateway then holds any definition that differs until `aegis approve`.")
final class PinCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE",
      description = "Aegis YAML or a client's mcpServers JSON (default: $AEGIS_HOME/aegis.yaml).")
  Path config;

  @Option(names = "--lockfile", paramLabel = "FILE",
      description = "The lockfile (default: pin.lockfile of the config, else $AEGIS_HOME/aegis.lock).")
  Path lockfile;

  @Option(names = "--server", paramLabel = "NAME", description = "Pin only these servers (repeatable).")
  List<String> only = new ArrayList<>();

  @Option(names = "--by", paramLabel = "NAME", description = "Who approves (default: $USER).")
  String by;

  @Option(names = "--accept-findings", description = "Also pin definitions the scanner would block.")
  boolean acceptFindings;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
      description = "Per server: start, initialize and list within this many seconds (default: ${DEFAULT-VALUE}).")
  int timeout;

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    Path home = AegisHome.resolve();
    GatewayConfig cfg;
    try {
      cfg = ConfigLoader.load(AegisHome.config(config)).config();
    } catch (ConfigException e) {
      e.errors().forEach(line -> err.println("aegis pin: " + line));
      return 2;
    }
    List<ServerConfig> servers = new ArrayList<>();
    for (ServerConfig s : cfg.servers()) {
      if (only.isEmpty() || only.contains(s.name())) {
        servers.add(s);
      }
    }
    for (String name : only) {
      if (cfg.servers().stream().noneMatch(s -> s.name().equals(name))) {
        err.println("aegis pin: no server named '" + name + "' in the configuration");
        return 2;
      }
    }
    Path file = lockfile != null ? lockfile : PinGuard.lockfile(cfg.pin(), home);
    PinStore store = new PinStore(file);
    String who = by != null ? by : System.getProperty("user.name", "unknown");
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    int failed = 0;
    // listed the way the gateway starts them: in their sandbox profile
    dev.aegis.sandbox.Sandbox sandbox = new dev.aegis.sandbox.Sandbox(cfg.sandbox(), info -> { },
        w -> err.println("aegis pin: " + w));
    for (ServerConfig s : servers) {
      err.println("aegis pin: " + s.name() + ": listing...");
      Listing l = Lister.list(s, Duration.ofSeconds(timeout), sandbox);
      if (l.error() != null) {
        err.println("aegis pin: " + s.name() + ": not pinned: " + l.error());
        failed++;
        continue;
      }
      Identity id = Identity.of(s, l.initialize());
      List<String> skipped = new ArrayList<>();
      List<Report> reports = Scanner.builtIn().scanTools(l.tools(), Scanner.Known.NONE);
      Lockfile.Server pinned = new Lockfile.Server(id, l.initialize() == null ? null
          : l.initialize().path("protocolVersion").asString(null));
      for (Lockfile.Kind kind : Lockfile.Kind.values()) {
        pinned.markSeen(kind);
        List<JsonNode> items = switch (kind) {
          case TOOL -> l.tools();
          case PROMPT -> l.prompts();
          default -> l.templates();
        };
        for (int i = 0; i < items.size(); i++) {
          JsonNode item = items.get(i);
          String n = kind.nameOf(item);
          Report r = kind == Lockfile.Kind.TOOL ? reports.get(i)
              : kind == Lockfile.Kind.PROMPT ? Scanner.builtIn().scanPrompt(item) : Scanner.builtIn().scanResource(item);
          if (r.verdict() == Verdict.BLOCK && !acceptFindings) {
            skipped.add(kind.label() + " " + n + ": " + r.worst().ruleId() + " " + r.worst().message());
            continue;
          }
          pinned.pins(kind).put(n, new Lockfile.Pin(Fingerprints.of(id, kind, item), Fingerprints.version(item, id),
              new Lockfile.Approval(who, now), item));
        }
      }
      Lockfile.Server before = store.update(lock -> {
        Lockfile.Server old = lock.server(s.name());
        lock.put(s.name(), pinned);
        return new PinStore.Result<>(true, old);
      });
      out.println(s.name() + ": pinned " + summary(pinned) + " as " + id.describe() + changes(before, pinned));
      for (String line : skipped) {
        out.println("  not pinned (the scanner blocks it; --accept-findings to pin anyway): " + line);
      }
    }
    out.println("lockfile: " + store.file());
    return failed == 0 ? 0 : 1;
  }

  private static String summary(Lockfile.Server s) {
    return s.pins(Lockfile.Kind.TOOL).size() + " tools, " + s.pins(Lockfile.Kind.PROMPT).size() + " prompts, "
        + s.pins(Lockfile.Kind.TEMPLATE).size() + " resource templates";
  }

  /** What moved since the previous pin, if there was one. */
  private static String changes(Lockfile.Server before, Lockfile.Server after) {
    if (before == null) {
      return "";
    }
    int changed = 0;
    int added = 0;
    int removed = 0;
    for (Lockfile.Kind k : Lockfile.Kind.values()) {
      Map<String, Lockfile.Pin> b = before.pins(k);
      Map<String, Lockfile.Pin> a = after.pins(k);
      for (Map.Entry<String, Lockfile.Pin> e : a.entrySet()) {
        Lockfile.Pin old = b.get(e.getKey());
        if (old == null) {
          added++;
        } else if (!old.fingerprint().equals(e.getValue().fingerprint())) {
          changed++;
        }
      }
      removed += (int) b.keySet().stream().filter(n -> !a.containsKey(n)).count();
    }
    return changed + added + removed == 0 ? " (unchanged)"
        : " (" + changed + " changed, " + added + " new, " + removed + " removed since the last pin)";
  }
}
