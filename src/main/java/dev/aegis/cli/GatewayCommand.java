package dev.aegis.cli;

import dev.aegis.audit.AuditLog;
import dev.aegis.config.ConfigException;
import dev.aegis.config.ConfigLoader;
import dev.aegis.gateway.Gateway;
import dev.aegis.gateway.GatewayLog;
import dev.aegis.gateway.Warmup;
import dev.aegis.transport.http.StreamableHttpServer;
import dev.aegis.transport.stdio.StdioServer;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aegis gateway}: serves one MCP endpoint in front of the configured servers, over stdio (for hosts that
 * launch it as a command) or Streamable HTTP ({@code --listen}).
 */
@Command(name = "gateway", mixinStandardHelpOptions = true,
    description = "Serve MCP in front of the configured servers: over stdio, or over Streamable HTTP with --listen.")
final class GatewayCommand implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE",
      description = "Aegis YAML, or a client's mcpServers JSON (default: $AEGIS_HOME/aegis.yaml).")
  Path config;

  @Option(names = "--listen", paramLabel = "HOST:PORT",
      description = "Serve Streamable HTTP at http://HOST:PORT/mcp instead of stdio (e.g. 127.0.0.1:8750; a bare"
          + " PORT binds 127.0.0.1).")
  String listen;

  @Option(names = "--stdio", description = "Also serve stdio when --listen is given.")
  boolean stdio;

  @Option(names = "--debug", description = "Log more.")
  boolean debug;

  @Override
  public Integer call() throws Exception {
    // stdout carries protocol; everything human goes to stderr
    PrintStream err = System.err;
    // buffered so that a message and its newline leave in one write: two writes wake the host twice
    OutputStream protocolOut = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 8 * 1024);
    System.setOut(err);
    GatewayLog log = new GatewayLog(err, debug);
    Path home = AegisHome.resolve();
    Path file = AegisHome.config(config);
    ConfigLoader.Loaded loaded;
    if (config == null && !Files.exists(file)) {
      log.info("no configuration at " + file + "; using the built-in default: the bundled example server"
          + " (give --config FILE to put your own servers behind Aegis; see docs/configuration.md)");
      loaded = new ConfigLoader.Loaded(BuiltInConfig.example(), List.of());
    } else {
      try {
        loaded = ConfigLoader.load(file);
      } catch (ConfigException e) {
        e.errors().forEach(line -> err.println("aegis: " + line));
        return 2;
      }
    }
    loaded.warnings().forEach(log::warn);
    InetSocketAddress bind = null;
    if (listen != null) {
      bind = parseListen(listen);
      if (bind == null) {
        err.println("aegis: --listen must be HOST:PORT, e.g. 127.0.0.1:8750; was '" + listen + "'");
        return 2;
      }
    }
    dev.aegis.scan.ScanGuard scan;
    try {
      scan = dev.aegis.scan.ScanGuard.from(loaded.config().scan());
    } catch (IllegalArgumentException e) {
      err.println("aegis: scan rules: " + e.getMessage());
      return 2;
    }
    AuditLog exchanges;
    try {
      exchanges = AuditLog.open(home);
    } catch (IOException e) {
      err.println("aegis: cannot write the audit log under " + home + ": " + e.getMessage()
          + " (set AEGIS_HOME to a writable folder)");
      return 2;
    }
    dev.aegis.config.AccessConfig access = loaded.config().access();
    dev.aegis.identity.HttpIdentity identity;
    dev.aegis.policy.PolicyStore policies = null;
    try {
      identity = dev.aegis.identity.HttpIdentity.from(access.identity());
      if (access.policy().file() != null) {
        policies = dev.aegis.policy.PolicyStore.load(access.policy().file());
      }
    } catch (dev.aegis.policy.PolicyException e) {
      e.errors().forEach(line -> err.println("aegis: policy: " + line));
      exchanges.close();
      return 2;
    } catch (IllegalArgumentException e) {
      err.println("aegis: identity: " + e.getMessage());
      exchanges.close();
      return 2;
    }
    if (bind != null && identity == null && !bind.getAddress().isLoopbackAddress()) {
      err.println("aegis: refusing to serve " + listen + " without authentication: every caller would act as the"
          + " local user. Configure identity (keys or oauth; see docs/access.md), or listen on 127.0.0.1");
      exchanges.close();
      return 2;
    }
    List<dev.aegis.chain.Interceptor> guards = new java.util.ArrayList<>();
    dev.aegis.policy.AccessGuard accessGuard = new dev.aegis.policy.AccessGuard(access.policy(), policies,
        dev.aegis.trust.TrustLabels.from(access.trust()), access.trust(),
        new dev.aegis.policy.ApprovalQueue(home.resolve("approvals"), java.time.Duration.ofMinutes(2)));
    guards.add(accessGuard);
    if (policies != null) {
      log.info("policy " + access.policy().file() + " (" + policies.current().ruleIds().size() + " rules; edits apply"
          + " on save, a broken edit keeps the old policy)");
      policies.watch(errors -> errors.forEach(line -> log.warn("policy not reloaded: " + line)),
          () -> log.info("policy reloaded from " + access.policy().file()));
    }
    dev.aegis.pin.PinGuard pin = null;
    if (!loaded.config().pin().mode().equals("off")) {
      pin = new dev.aegis.pin.PinGuard(loaded.config().pin(), loaded.config().servers(),
          dev.aegis.pin.PinGuard.lockfile(loaded.config().pin(), home));
      try {
        pin.store().snapshot();
      } catch (RuntimeException e) {
        err.println("aegis: lockfile: " + e.getMessage());
        exchanges.close();
        return 2;
      }
      log.info("pinning definitions (pin.mode " + loaded.config().pin().mode() + ") to " + pin.store().file());
    }
    // snapshots after access (a refused call costs no snapshot) and outside scan (it sees when scan blocks an output,
    // and rolls that call back)
    if (!loaded.config().snapshots().workspaces().isEmpty()) {
      guards.add(dev.aegis.sandbox.snapshot.SnapshotGuard.from(loaded.config().snapshots(), home));
      log.info("snapshots of the workspaces of " + loaded.config().snapshots().workspaces().keySet()
          + " before each call that may write (aegis rollback CALL_ID)");
    }
    // scan first, pin inside it: the pin guard sees every definition a server lists (so a poisoned change is
    // recorded as held, for review), and the scanner then filters what pinning let through
    guards.add(scan);
    if (pin != null) {
      guards.add(pin);
    }
    Gateway gateway = new Gateway(loaded.config(), guards, exchanges, log);
    gateway.stdioCaller(new dev.aegis.transport.Caller(access.identity().stdio(), access.identity().stdioGroups(),
        List.of(), "stdio"));
    accessGuard.elicitVia(gateway::elicit);
    dev.aegis.memory.Memory memory = null;
    if (loaded.config().servers().stream()
        .anyMatch(s -> s.transport() instanceof dev.aegis.config.ServerConfig.Builtin)) {
      try {
        memory = dev.aegis.memory.MemoryHome.open(loaded.config().memory(), home);
      } catch (RuntimeException e) {
        err.println("aegis: memory: " + e.getMessage());
        gateway.close();
        exchanges.close();
        return 2;
      }
      gateway.builtin("memory", new dev.aegis.memory.MemoryServer(memory, dev.aegis.transport.Caller.LOCAL)
          .builtin(accessGuard.taint()));
      log.info("shared memory (builtin) in " + (loaded.config().memory().postgres() != null
          ? loaded.config().memory().postgres().url()
          : loaded.config().memory().store() != null ? loaded.config().memory().store() : home.resolve("memory.db")));
    }
    dev.aegis.memory.Memory openMemory = memory;
    if (pin != null) {
      pin.watch(gateway::definitionsChanged);
    }
    Warmup.inBackground(gateway.codec(), guards);
    // sandboxed servers' exits go to the audit log; aegis status reads a status file this gateway keeps current
    gateway.sandbox().onExit(x -> {
      tools.jackson.databind.node.ObjectNode ev = StatusFile.exit(x);
      ev.put("type", "sandbox");
      ev.put("event", "exit");
      exchanges.event(ev);
    });
    java.time.Instant started = java.time.Instant.now();
    Path statusPath = StatusFile.of(home, ProcessHandle.current().pid());
    Path configPath = loaded.config() == null || !Files.exists(file) ? null : file.toAbsolutePath();
    java.util.concurrent.ScheduledExecutorService statusTimer =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "aegis-status");
          t.setDaemon(true);
          return t;
        });
    java.util.concurrent.atomic.AtomicBoolean statusWarned = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<tools.jackson.databind.JsonNode> lastStatus =
        new java.util.concurrent.atomic.AtomicReference<>();
    statusTimer.scheduleWithFixedDelay(() -> {
      try {
        // rewritten only when something changed: an idle gateway does not touch the disk every 2 s
        tools.jackson.databind.node.ObjectNode now = StatusFile.snapshot(gateway, loaded.config(), configPath, listen,
            started);
        if (!now.equals(lastStatus.get())) {
          StatusFile.write(statusPath, now);
          lastStatus.set(now);
        }
      } catch (IOException | RuntimeException e) {
        if (statusWarned.compareAndSet(false, true)) {
          log.warn("cannot write " + statusPath + " for aegis status: " + e.getMessage());
        }
      }
    }, 0, 2, java.util.concurrent.TimeUnit.SECONDS);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      statusTimer.shutdownNow();
      try {
        Files.deleteIfExists(statusPath);
      } catch (IOException ignored) {
        // aegis status skips files of gateways that are gone
      }
    }, "aegis-status-cleanup"));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      gateway.close();
      if (openMemory != null) {
        openMemory.close();
      }
      exchanges.close();
    }, "aegis-shutdown"));
    log.info("aegis " + Gateway.VERSION + " with " + loaded.config().servers().size() + " server(s)"
        + (loaded.config() == null || !Files.exists(file) ? "" : " from " + file) + "; state in " + home);
    if (bind != null) {
      StreamableHttpServer server;
      try {
        server = HttpServe.start(bind, gateway, loaded.config().allowedOrigins(), log, identity);
      } catch (IOException e) {
        err.println("aegis: cannot listen on " + listen + ": " + e.getMessage());
        gateway.close();
        exchanges.close();
        return 1;
      }
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "aegis-http-shutdown"));
      if (!bind.getAddress().isLoopbackAddress()) {
        log.warn("listening on " + bind + ", which is reachable from other machines: anyone who can reach it can"
            + " use every configured server");
      }
      if (stdio) {
        new StdioServer(System.in, protocolOut, gateway.codec(), gateway, log::warn).run();
        return 0;
      }
      new CountDownLatch(1).await();
      return 0;
    }
    new StdioServer(System.in, protocolOut, gateway.codec(), gateway, log::warn).run();
    gateway.close();
    if (openMemory != null) {
      openMemory.close();
    }
    exchanges.close();
    return 0;
  }

  /** {@code HOST:PORT}, {@code [::1]:PORT}, or a bare {@code PORT} (then loopback: never all interfaces by accident). */
  static InetSocketAddress parseListen(String value) {
    if (value.chars().allMatch(Character::isDigit) && !value.isEmpty()) {
      value = "127.0.0.1:" + value;
    }
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      return null;
    }
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      int port = Integer.parseInt(value.substring(colon + 1));
      if (port < 0 || port > 65535) {
        return null;
      }
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (NumberFormatException | IOException e) {
      return null;
    }
  }
}
