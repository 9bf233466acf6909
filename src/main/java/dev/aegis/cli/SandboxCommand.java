package dev.aegis.cli;

import dev.aegis.config.ConfigException;
import dev.aegis.config.ConfigLoader;
import dev.aegis.config.SandboxConfig;
import dev.aegis.config.ServerConfig;
import dev.aegis.sandbox.HostSupport;
import dev.aegis.sandbox.Profiles;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code aegis sandbox check}: what this machine can enforce, and per profile and per configured server what will and
 * will not be enforced here (docs/sandbox.md). Exits 1 when a configured server would be refused at start.
 *
 * <pre>{@code aegis sandbox check --config aegis.yaml }</pre>
 */
@Command(name = "sandbox", mixinStandardHelpOptions = true,
    description = "Execution isolation for stdio servers: check what this machine can enforce.")
final class SandboxCommand implements Runnable {

  static CommandLine commandLine() {
    return new CommandLine(new SandboxCommand()).addSubcommand("check", new Check());
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.err);
  }

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Probe bubblewrap, namespaces, seccomp, cgroups, Landlock and prlimit; report each profile.")
  static final class Check implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE",
        description = "Aegis YAML (default: $AEGIS_HOME/aegis.yaml; without one, only the built-in profiles).")
    Path config;

    PrintStream out = System.out;
    PrintStream err = System.err;
    /** What the machine supports; null to probe it. */
    HostSupport host;

    @Override
    public Integer call() {
      Path file = AegisHome.config(config);
      SandboxConfig sandbox = SandboxConfig.DEFAULT;
      List<ServerConfig> servers = List.of();
      if (config != null || Files.exists(file)) {
        try {
          ConfigLoader.Loaded loaded = ConfigLoader.load(file);
          sandbox = loaded.config().sandbox();
          servers = loaded.config().servers();
        } catch (ConfigException e) {
          e.errors().forEach(line -> err.println("aegis: " + line));
          return 2;
        }
      }
      return report(sandbox, servers, host != null ? host : HostSupport.probe(), out);
    }

    static int report(SandboxConfig sandbox, List<ServerConfig> servers, HostSupport h, PrintStream out) {
      out.println("this machine:");
      line(out, "bubblewrap", h.bwrap(), h.bwrapPath() == null ? "not installed (apt-get install bubblewrap)"
          : h.bwrapPath() + (h.bwrap() ? " (ran a sandbox)" : " (installed, but could not create a sandbox)"));
      line(out, "user namespace", h.userNs(), "");
      line(out, "network namespace", h.netNs(), "");
      line(out, "pid namespace", h.pidNs(), "");
      line(out, "seccomp", h.seccomp(), h.seccomp() ? "filter loaded and refused unshare" : "");
      line(out, "prlimit", h.prlimit(), "open files, cpu seconds, address space");
      line(out, "cgroup v1 memory", h.cgroupV1Memory(), h.cgroupV1Memory() ? "writable" : "");
      line(out, "cgroup v1 pids", h.cgroupV1Pids(), h.cgroupV1Pids() ? "writable" : "");
      line(out, "cgroup v2", h.cgroupV2(), "reported only: limits use cgroup v1");
      line(out, "landlock", h.landlock(), "reported only: not used yet");
      out.println();
      out.println("profiles:");
      for (Map.Entry<String, SandboxConfig.Profile> e : Profiles.all(sandbox).entrySet()) {
        List<String> missing = Profiles.missing(e.getValue(), h);
        out.println("  " + e.getKey() + ": " + (missing.isEmpty() ? "fully enforced" : "NOT fully enforced"));
        for (String s : Profiles.enforced(e.getValue(), h)) {
          out.println("    + " + s);
        }
        for (String s : missing) {
          out.println("    - not enforced: " + s);
        }
      }
      int code = 0;
      boolean anyStdio = false;
      dev.aegis.sandbox.Sandbox sb = new dev.aegis.sandbox.Sandbox(sandbox, h, System.getenv(), x -> { }, x -> { });
      for (ServerConfig s : servers) {
        if (!(s.transport() instanceof ServerConfig.Stdio stdio)) {
          continue;
        }
        if (!anyStdio) {
          out.println();
          out.println("servers (sandbox.default: " + sandbox.defaultProfile() + ", degrade: " + sandbox.degrade()
              + "):");
          anyStdio = true;
        }
        dev.aegis.sandbox.Sandbox.Choice c = sb.choose(s.name(), stdio);
        boolean auto = c.origin() == dev.aegis.sandbox.Sandbox.Origin.AUTO;
        if (!c.sandboxed()) {
          String why = c.label().substring(c.label().indexOf('(')); // "(sandbox: false)", "(default: ...)"
          out.println("  " + s.name() + ": " + (auto ? "UNSANDBOXED " : "unsandboxed ") + why
              + (auto ? ", with a warning at start" : ""));
          continue;
        }
        List<String> missing = Profiles.missing(c.profile(), h);
        if (missing.isEmpty()) {
          out.println("  " + s.name() + ": " + c.label() + ", fully enforced");
        } else if (auto && !h.bwrap()) {
          out.println("  " + s.name() + ": " + c.label() + ", starts UNSANDBOXED with a warning: this machine cannot "
              + "sandbox (missing: " + String.join("; ", missing) + "); name a profile to have it refused instead");
        } else if (auto || sandbox.degrade()) {
          out.println("  " + s.name() + ": " + c.label() + ", DEGRADED (starts with a warning; missing: "
              + String.join("; ", missing) + ")");
        } else {
          out.println("  " + s.name() + ": " + c.label() + ", REFUSED at start (missing: " + String.join("; ", missing)
              + "; set sandbox.degrade: true to start it anyway)");
          code = 1;
        }
      }
      return code;
    }

    private static void line(PrintStream out, String what, boolean ok, String note) {
      out.println(String.format("  %-18s %-3s %s", what, ok ? "yes" : "no", note).stripTrailing());
    }
  }
}
