package dev.aegis.cli;

import dev.aegis.config.ConfigException;
import dev.aegis.config.ConfigLoader;
import dev.aegis.config.MemoryConfig;
import dev.aegis.gateway.GatewayLog;
import dev.aegis.memory.Actor;
import dev.aegis.memory.Entry;
import dev.aegis.memory.Keys;
import dev.aegis.memory.Memory;
import dev.aegis.memory.MemoryHome;
import dev.aegis.memory.MemoryServer;
import dev.aegis.memory.StoreException;
import dev.aegis.memory.Verifier;
import dev.aegis.protocol.Codec;
import dev.aegis.transport.Caller;
import dev.aegis.transport.http.StreamableHttpServer;
import dev.aegis.transport.stdio.StdioServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code aegis memory}: the shared-memory server and its incident tools (docs/memory.md).
 *
 * <pre>{@code
 * aegis memory serve [--config F] [--listen 127.0.0.1:8760]     # stdio unless --listen
 * aegis memory verify [--config F]                             # exit 1 when the log was tampered with
 * aegis memory revert --principal web-agent --since 2026-11-24T09:00:00Z
 * aegis memory history SCOPE KEY
 * }</pre>
 */
@Command(name = "memory", mixinStandardHelpOptions = true,
    description = "Shared memory for many agents: serve it, verify its history, revert what an agent wrote.")
final class MemoryCommand implements Runnable {
  @Spec
  CommandSpec spec;

  static CommandLine commandLine() {
    return new CommandLine(new MemoryCommand()).addSubcommand("serve", new Serve())
        .addSubcommand("verify", new Verify()).addSubcommand("revert", new Revert())
        .addSubcommand("history", new History());
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** Options every subcommand shares: which configuration's memory. */
  abstract static class Base {
    @Option(names = "--config", paramLabel = "FILE",
        description = "Aegis YAML whose memory: section to use (default: $AEGIS_HOME/aegis.yaml if present).")
    Path config;

    PrintStream out = System.out;
    PrintStream err = System.err;

    /** The loaded configuration, or null after printing why not. */
    ConfigLoader.Loaded load() {
      Path file = AegisHome.config(config);
      if (config == null && !Files.exists(file)) {
        return new ConfigLoader.Loaded(dev.aegis.config.GatewayConfig.of(List.of()), List.of());
      }
      try {
        ConfigLoader.Loaded loaded = ConfigLoader.load(file);
        loaded.warnings().forEach(w -> err.println("aegis: " + w));
        return loaded;
      } catch (ConfigException e) {
        e.errors().forEach(line -> err.println("aegis: " + line));
        return null;
      }
    }

    Memory open(MemoryConfig memory) {
      return MemoryHome.open(memory, AegisHome.resolve());
    }
  }

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = "Serve shared memory as an MCP server: stdio, or Streamable HTTP with --listen (API keys or"
          + " OAuth from the identity: section; loopback only without them).")
  static final class Serve extends Base implements Callable<Integer> {
    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Serve Streamable HTTP here.")
    String listen;

    @Override
    public Integer call() throws Exception {
      ConfigLoader.Loaded loaded = load();
      if (loaded == null) {
        return 2;
      }
      GatewayLog log = new GatewayLog(err, false);
      dev.aegis.config.AccessConfig.Identity id = loaded.config().access().identity();
      dev.aegis.identity.HttpIdentity identity;
      try {
        identity = dev.aegis.identity.HttpIdentity.from(id);
      } catch (IllegalArgumentException e) {
        err.println("aegis: identity: " + e.getMessage());
        return 2;
      }
      InetSocketAddress bind = null;
      if (listen != null) {
        bind = GatewayCommand.parseListen(listen);
        if (bind == null) {
          err.println("aegis: --listen must be HOST:PORT, e.g. 127.0.0.1:8760; was '" + listen + "'");
          return 2;
        }
        if (identity == null && !bind.getAddress().isLoopbackAddress()) {
          err.println("aegis: refusing to serve memory on " + listen + " without authentication; configure"
              + " identity (docs/access.md) or listen on 127.0.0.1");
          return 2;
        }
      }
      Memory memory;
      try {
        memory = open(loaded.config().memory());
      } catch (StoreException e) {
        err.println("aegis: memory: " + e.getMessage());
        return 2;
      }
      MemoryServer server = new MemoryServer(memory, new Caller(id.stdio(), id.stdioGroups(), List.of(), "stdio"));
      Codec codec = new Codec(loaded.config().maxMessageBytes());
      Runtime.getRuntime().addShutdownHook(new Thread(memory::close, "aegis-memory-shutdown"));
      if (bind != null) {
        StreamableHttpServer http = new StreamableHttpServer(bind, codec, server,
            loaded.config().allowedOrigins(), log::info);
        if (identity != null) {
          http.auth(identity);
        }
        try {
          http.start();
        } catch (IOException e) {
          err.println("aegis: cannot listen on " + listen + ": " + e.getMessage());
          memory.close();
          return 1;
        }
        log.info("aegis memory on http://" + listen + "/mcp");
        Runtime.getRuntime().addShutdownHook(new Thread(http::close, "aegis-memory-http-shutdown"));
        new CountDownLatch(1).await();
        return 0;
      }
      new StdioServer(System.in, System.out, codec, server, log::warn).run();
      memory.close();
      return 0;
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Check the whole memory log straight from the database: every entry's hash, link and signature,"
          + " the signed checkpoints, and the current index. Exit 0 intact, 1 tampered with, 2 cannot check.")
  static final class Verify extends Base implements Callable<Integer> {
    @Option(names = "--trust-key", paramLabel = "BASE64",
        description = "Also trust checkpoints signed by this instance public key (X.509, base64); repeatable.")
    List<String> trustKeys = List.of();

    @Override
    public Integer call() {
      ConfigLoader.Loaded loaded = load();
      if (loaded == null) {
        return 2;
      }
      MemoryConfig mc = loaded.config().memory();
      Path home = AegisHome.resolve();
      try (dev.aegis.memory.MemoryStore store = MemoryHome.store(mc, home)) {
        Keys keys = Keys.open(MemoryHome.keys(mc, home), store);
        List<String> trusted = new java.util.ArrayList<>(trustKeys);
        trusted.add(keys.instancePublicKey());
        Verifier.Result r = new Verifier(store, keys, trusted).run(line -> err.println("aegis: " + line));
        out.println((r.ok() ? "intact" : "TAMPERED") + ": " + r.entries() + " entries, " + r.keys() + " keys, "
            + r.checkpoints() + " checkpoints");
        r.problems().forEach(p -> out.println("  " + p));
        if (r.moreProblems() > 0) {
          out.println("  ... and " + r.moreProblems() + " more");
        }
        return r.ok() ? 0 : 1;
      } catch (StoreException e) {
        err.println("aegis: memory: " + e.getMessage());
        return 2;
      }
    }
  }

  @Command(name = "revert", mixinStandardHelpOptions = true,
      description = "Roll back everything PRINCIPAL wrote since TIME: each item it touched gets a new version with"
          + " its last content not written by PRINCIPAL (history is kept).")
  static final class Revert extends Base implements Callable<Integer> {
    @Option(names = "--principal", required = true, paramLabel = "NAME", description = "The compromised agent.")
    String principal;

    @Option(names = "--since", required = true, paramLabel = "TIME",
        description = "An instant (2026-11-24T09:00:00Z) or a duration back from now (PT2H, P1D).")
    String since;

    @Option(names = "--as", paramLabel = "NAME", description = "Who signs the reverting versions (default: operator).")
    String as = "operator";

    @Override
    public Integer call() {
      Instant from;
      try {
        from = since.startsWith("P") ? Instant.now().minus(Duration.parse(since)) : Instant.parse(since);
      } catch (DateTimeParseException e) {
        err.println("aegis: --since must be an instant like 2026-11-24T09:00:00Z or a duration like PT2H; was '"
            + since + "'");
        return 2;
      }
      ConfigLoader.Loaded loaded = load();
      if (loaded == null) {
        return 2;
      }
      try (Memory memory = open(loaded.config().memory())) {
        Memory.Reverted r = memory.revertPrincipal(Actor.of(as, List.of(), null, "cli"), principal, from);
        out.println("reverted " + r.written().size() + " of " + r.keys() + " item(s) " + principal + " wrote since "
            + from);
        for (Entry e : r.written()) {
          out.println("  " + e.scope() + "/" + e.key() + " -> v" + e.version() + (e.deleted() ? " (deleted)" : ""));
        }
        return 0;
      } catch (StoreException e) {
        err.println("aegis: memory: " + e.getMessage());
        return 2;
      }
    }
  }

  @Command(name = "history", mixinStandardHelpOptions = true,
      description = "Every version of one item: who wrote it, when, from what context, and whether it verifies.")
  static final class History extends Base implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SCOPE")
    String scope;

    @Parameters(index = "1", paramLabel = "KEY", description = "The stored key (doc/NAME, entity/NAME, ...).")
    String key;

    @Override
    public Integer call() {
      ConfigLoader.Loaded loaded = load();
      if (loaded == null) {
        return 2;
      }
      try (Memory memory = open(loaded.config().memory())) {
        List<Entry> versions = memory.store().history(scope, key);
        if (versions.isEmpty()) {
          err.println("aegis: no item " + scope + "/" + key);
          return 1;
        }
        for (Entry e : versions) {
          Memory.Item item = memory.item(e);
          out.println("v" + e.version() + "  " + e.time() + "  " + e.author() + "  " + e.op() + "  " + e.trust()
              + (e.quarantined() ? "  QUARANTINED" : "") + (item.valid() ? "" : "  INVALID SIGNATURE")
              + "  " + e.provenance());
        }
        return 0;
      } catch (StoreException e) {
        err.println("aegis: memory: " + e.getMessage());
        return 2;
      }
    }
  }
}
