package dev.aegis.sandbox;

import dev.aegis.config.SandboxConfig;
import dev.aegis.config.SandboxConfig.Profile;
import dev.aegis.config.ServerConfig;
import dev.aegis.protocol.Codec;
import dev.aegis.transport.stdio.ProcessChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Where the gateway asks how to start a stdio server: unchanged when it is opted out, otherwise wrapped in bubblewrap,
 * prlimit and cgroups as its profile says (see {@link BwrapCommand}). Without configuration the automatic default
 * applies ({@link #choose}, {@link KnownServers}). A profile the configuration names that this machine cannot fully
 * enforce is refused unless {@code sandbox.degrade} is true; the automatic default is never refused: such a server
 * starts with what the machine has (unsandboxed without bubblewrap). Either way each such server gets one loud
 * warning.
 *
 * <pre>{@code
 * ProcessChannel ch = sandbox.start("fs", stdio, codec, log::info);   // prepare, launch, hand the pid to the monitor
 * }</pre>
 */
public final class Sandbox {
  private final SandboxConfig config;
  private final HostSupport host;
  private final Consumer<String> info;
  private final Consumer<String> warn;
  private final Map<String, String> gatewayEnv;
  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  private final AtomicLong launches = new AtomicLong();
  private volatile SandboxMonitor monitor;
  private volatile Path dir;

  /** With this machine's probe ({@link HostSupport#probe()}, run on first use) and the gateway's environment. */
  public Sandbox(SandboxConfig config, Consumer<String> info, Consumer<String> warn) {
    this(config, null, System.getenv(), info, warn);
  }

  /**
   * @param host what the machine supports; null to probe on first use
   * @param gatewayEnv the environment the profile's {@code env} names are taken from
   */
  public Sandbox(SandboxConfig config, HostSupport host, Map<String, String> gatewayEnv, Consumer<String> info,
      Consumer<String> warn) {
    this.config = config;
    this.host = host;
    this.gatewayEnv = Map.copyOf(gatewayEnv);
    this.info = info;
    this.warn = warn;
  }

  private HostSupport host() {
    return host != null ? host : HostSupport.probe();
  }

  /**
   * How to start one server.
   *
   * @param command the command line; with {@link #env()} and {@link #cwd()} what {@code ProcessChannel.launch} takes
   */
  public record Launch(List<String> command, Map<String, String> env, String cwd, String profile,
      Starter starter) {
    /** Tells the monitor the launched process's pid; returns its watch, or null when unsandboxed. */
    public SandboxMonitor.Watch started(long pid) {
      return starter == null ? null : starter.started(pid);
    }

    public boolean sandboxed() {
      return starter != null;
    }
  }

  /** Hands the pid of a launched sandbox to the monitor. */
  @FunctionalInterface
  public interface Starter {
    SandboxMonitor.Watch started(long pid);
  }

  /**
   * Which profile applies to a server, where that choice came from, and why.
   *
   * @param profileName the profile's name, or null when the server runs unsandboxed
   * @param profile the rules (for an automatic choice, the built-in profile plus the grants the server needs), or null
   * @param origin where the choice came from
   * @param why for {@link Origin#AUTO}, what was recognised (empty when nothing); for {@link Origin#OFF}, who said so
   * @param notGranted for {@link Origin#AUTO}, folders the server needs that the default would not grant on its own
   */
  public record Choice(String profileName, Profile profile, Origin origin, String why, List<String> notGranted) {
    public Choice {
      notGranted = List.copyOf(notGranted);
    }

    /** Whether the server runs inside a sandbox (when the machine can make one). */
    public boolean sandboxed() {
      return profile != null;
    }

    /** One line for people: {@code strict (default)}, {@code filesystem (default: ...)}, {@code off (sandbox: false)}. */
    public String label() {
      String name = profileName == null ? "off" : profileName;
      return switch (origin) {
        case SERVER -> name;
        case DEFAULT -> name + " (sandbox.default)";
        case AUTO -> name + (why.isEmpty() ? " (default)" : " (default: " + why + ")");
        case OFF -> "off (" + why + ")";
      };
    }
  }

  /** Where a {@link Choice} came from. */
  public enum Origin {
    /** the server's own {@code sandbox:} names a profile */
    SERVER,
    /** {@code sandbox.default} names a profile */
    DEFAULT,
    /** the automatic default: nothing was configured (or {@code auto}) */
    AUTO,
    /** {@code sandbox: false} on the server or {@code sandbox.default: off} */
    OFF
  }

  private final Map<List<Object>, Choice> choices = new ConcurrentHashMap<>();

  /** What applies to server {@code name} (see {@link KnownServers} for the automatic default). */
  public Choice choose(String name, ServerConfig.Stdio s) {
    return choices.computeIfAbsent(List.of(name, s), k -> decide(name, s));
  }

  private Choice decide(String name, ServerConfig.Stdio s) {
    String configured = config.choiceOf(name);
    boolean own = config.servers().containsKey(name);
    if (configured.equals(SandboxConfig.OFF)) {
      return new Choice(null, null, Origin.OFF, own ? "sandbox: false" : "sandbox.default: off", List.of());
    }
    if (!configured.equals(SandboxConfig.AUTO)) {
      return new Choice(configured, Profiles.named(config, configured), own ? Origin.SERVER : Origin.DEFAULT, "",
          List.of());
    }
    KnownServers.Recognized r = KnownServers.recognize(s);
    if (!r.launchable()) {
      return new Choice(null, null, Origin.AUTO, r.container() ? "started by " + r.launcher() + ", which isolates "
          + "it in a container of its own" : "started by " + r.launcher() + ", which downloads "
          + (r.packageName() == null ? "the package" : r.packageName()) + " at every start and needs the network "
          + "and its cache in the real home", List.of());
    }
    Profile p = Profiles.named(config, r.profile());
    List<String> why = new java.util.ArrayList<>();
    if (r.packageName() != null && KnownServers.PROFILES.containsKey(r.packageName())) {
      why.add(r.packageName() + (r.profile().equals("filesystem") ? ", its roots (the folders in its arguments) "
          + "read-write" : r.profile().equals("fetch") ? ", network" : ""));
    }
    if (!r.writeFolders().isEmpty()) {
      p = new Profile(p.network(), p.read(), r.writeFolders(), p.env(), p.serverArgs(), p.limits());
      why.add(String.join(", ", r.writeFolders()) + " read-write (" + KnownServers.DATA_FILE_ENV.get(r.packageName())
          + ")");
    }
    for (String f : r.refused()) {
      why.add(f + " NOT granted: too broad, give the file a folder of its own");
    }
    return new Choice(r.profile(), p, Origin.AUTO, String.join("; ", why), r.refused());
  }

  /**
   * The launch of server {@code name}.
   *
   * @throws IOException when a profile the configuration names cannot be enforced here and degrading is not allowed,
   *     or the sandbox cannot be set up (the message says what and how to fix it)
   */
  public Launch prepare(String name, ServerConfig.Stdio s) throws IOException {
    Choice choice = choose(name, s);
    if (!choice.sandboxed()) {
      if (choice.origin() == Origin.AUTO && warned.add(name)) {
        warn.accept("SANDBOX OFF: server '" + name + "' runs unsandboxed: it is " + choice.why() + ". "
            + (KnownServers.recognize(s).container() ? "" : "To have it sandboxed, install the package and start it "
            + "directly (command: node, args: [/path/to/node_modules/PACKAGE/dist/index.js, ...]); or ")
            + "name a profile for it (sandbox: NAME), or say sandbox: false to silence this (docs/sandbox.md)");
      }
      return new Launch(s.command(), s.env(), s.cwd(), null, null);
    }
    String profileName = choice.profileName();
    Profile profile = choice.profile();
    if (!choice.notGranted().isEmpty() && warned.add(name + "\u0000grant")) {
      warn.accept("SANDBOX: server '" + name + "' runs under " + choice.label() + "; it will fail to write there: "
          + "move the file into a folder of its own, or name a profile that grants it (docs/sandbox.md)");
    }
    HostSupport h = host();
    List<String> missing = Profiles.missing(profile, h);
    if (!missing.isEmpty()) {
      boolean implicit = choice.origin() == Origin.AUTO;
      String what = "server '" + name + "': " + (implicit ? "the default " : "") + "sandbox profile '" + profileName
          + "' cannot be fully enforced on this machine (missing: " + String.join("; ", missing) + ")";
      if (!implicit && !config.degrade()) {
        throw new IOException(what + "; run `aegis sandbox check`, install what is missing, or set "
            + "sandbox.degrade: true to start it with what this machine has");
      }
      if (warned.add(name)) {
        warn.accept("SANDBOX DEGRADED: " + what + "; starting it " + (h.bwrap() ? "with what this machine has"
            : "UNSANDBOXED") + (implicit ? " because no profile was named for it (name one, e.g. sandbox: strict, "
            + "to have the gateway refuse instead; `aegis sandbox check` shows what is missing)"
            : " because sandbox.degrade is true"));
      }
      if (!h.bwrap()) {
        return new Launch(s.command(), s.env(), s.cwd(), profileName, null);
      }
    }
    return sandboxed(name, s, choice.label(), profileName, profile, h);
  }

  private Launch sandboxed(String name, ServerConfig.Stdio s, String label, String profileName, Profile profile,
      HostSupport h) throws IOException {
    Path d = workDir();
    Path seccomp = h.seccomp() ? d.resolve("seccomp.bpf") : null;
    Path status = d.resolve("status-" + launches.incrementAndGet() + ".json");
    SandboxConfig.Limits l = profile.limits();
    Cgroups.Group group = null;
    long mem = h.cgroupV1Memory() ? l.memoryBytes() : 0;
    int pids = h.cgroupV1Pids() ? l.processes() : 0;
    if (mem > 0 || pids > 0) {
      group = Cgroups.Group.create(safe(name), mem, pids);
    }
    BwrapCommand.Plan plan;
    try {
      plan = BwrapCommand.build(s, profile, h, seccomp, status, group == null ? List.of() : group.procsFiles(),
          gatewayEnv);
    } catch (IOException | RuntimeException e) {
      if (group != null) {
        group.remove();
      }
      throw new IOException("server '" + name + "': cannot set up its sandbox: " + e.getMessage(), e);
    }
    Cgroups.Group g = group;
    info.accept("server '" + name + "' runs sandboxed (profile " + label + ", bubblewrap"
        + (seccomp != null ? " + seccomp" : "") + (g != null ? " + cgroup limits" : "") + ")");
    return new Launch(plan.command(), Map.of(), null, profileName, pid -> monitor().watch(name, pid, g, status));
  }

  /** Starts server {@code name} as {@link #prepare} says and hands its pid to the monitor. */
  public ProcessChannel start(String name, ServerConfig.Stdio s, Codec codec, Consumer<String> stderr)
      throws IOException {
    Launch run = prepare(name, s);
    ProcessChannel channel = ProcessChannel.launch(run.command(), run.env(), run.cwd(), codec, name, stderr);
    run.started(channel.pid());
    return channel;
  }

  /**
   * What {@link #prepare} makes of this server on this machine, for {@code aegis status}: the choice's label, plus
   * what this machine leaves out of its profile ({@code "strict (default); degraded: unsandboxed (bubblewrap
   * missing)"}). A named profile that cannot be enforced and may not degrade is shown as refused.
   */
  public String effective(String name, ServerConfig.Stdio s) {
    Choice choice = choose(name, s);
    if (!choice.sandboxed()) {
      return choice.label();
    }
    HostSupport h = host();
    List<String> missing = Profiles.missing(choice.profile(), h);
    if (missing.isEmpty()) {
      return choice.label();
    }
    if (choice.origin() != Origin.AUTO && !config.degrade()) {
      return choice.label() + "; refused here (missing: " + String.join("; ", missing) + ")";
    }
    return choice.label() + "; degraded: " + (h.bwrap() ? "without " + String.join("; ", missing)
        : "unsandboxed (bubblewrap missing)");
  }

  /** The command this server would run under its profile (for {@code aegis sandbox check} and tests). */
  public List<String> preview(String name, ServerConfig.Stdio s) throws IOException {
    Choice c = choose(name, s);
    HostSupport h = host();
    if (!c.sandboxed() || !h.bwrap()) {
      return s.command();
    }
    return BwrapCommand.build(s, c.profile(), h, h.seccomp() ? Path.of("SECCOMP") : null, Path.of("STATUS"),
        List.of(), gatewayEnv).command();
  }

  private static String safe(String name) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < name.length() && b.length() < 40; i++) {
      char c = name.charAt(i);
      b.append(c < 128 && Character.isLetterOrDigit(c) ? c : '_');
    }
    return b.toString();
  }

  private synchronized Path workDir() throws IOException {
    if (dir == null) {
      Path d = Files.createTempDirectory("aegis-sandbox-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Files.write(d.resolve("seccomp.bpf"), Seccomp.program());
      dir = d;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        SandboxMonitor m = monitor;
        if (m != null) {
          m.removeAll();
        }
        try (java.util.stream.Stream<Path> files = Files.list(d)) {
          files.forEach(f -> f.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
          // best effort at exit
        }
        d.toFile().delete();
      }, "aegis-sandbox-cleanup"));
    }
    return dir;
  }

  private final java.util.List<Consumer<SandboxMonitor.Exit>> exitListeners =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Calls {@code listener} with every sandboxed server's exit (the gateway audits them). */
  public synchronized void onExit(Consumer<SandboxMonitor.Exit> listener) {
    exitListeners.add(listener);
    if (monitor != null) {
      monitor.onExit(listener);
    }
  }

  /** Sandboxed servers running now, as last sampled (empty when none ran). */
  public List<SandboxMonitor.Live> live() {
    SandboxMonitor m = monitor;
    return m == null ? List.of() : m.live();
  }

  /** The last exits of sandboxed servers, oldest first. */
  public List<SandboxMonitor.Exit> recentExits() {
    SandboxMonitor m = monitor;
    return m == null ? List.of() : m.recentExits();
  }

  private SandboxMonitor monitor() {
    SandboxMonitor m = monitor;
    if (m == null) {
      synchronized (this) {
        m = monitor;
        if (m == null) {
          ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "aegis-sandbox-monitor");
            th.setDaemon(true);
            return th;
          });
          t.setRemoveOnCancelPolicy(true);
          m = new SandboxMonitor(t, Duration.ofMillis(500), info, warn);
          exitListeners.forEach(m::onExit);
          monitor = m;
        }
      }
    }
    return m;
  }
}
