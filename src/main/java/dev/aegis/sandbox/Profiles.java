package dev.aegis.sandbox;

import dev.aegis.config.SandboxConfig;
import dev.aegis.config.SandboxConfig.Limits;
import dev.aegis.config.SandboxConfig.Profile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in profiles and the lookup of a profile by name.
 *
 * <ul>
 *   <li>{@code strict}: no network, no paths but the server's own program, script and class path (read-only)</li>
 *   <li>{@code filesystem}: as strict, plus read-write access to the directories named in the server's arguments
 *       (the roots a filesystem server is given)</li>
 *   <li>{@code fetch}: as strict, but with the host's network</li>
 * </ul>
 */
public final class Profiles {
  private Profiles() {}

  public static final Profile STRICT = new Profile(false, List.of(), List.of(), List.of(), "none", Limits.DEFAULT);
  public static final Profile FILESYSTEM = new Profile(false, List.of(), List.of(), List.of(), "write",
      Limits.DEFAULT);
  public static final Profile FETCH = new Profile(true, List.of(), List.of(), List.of(), "none", Limits.DEFAULT);

  /** The profile called {@code name}: built in or from the configuration. */
  public static Profile named(SandboxConfig config, String name) {
    return switch (name) {
      case "strict" -> STRICT;
      case "filesystem" -> FILESYSTEM;
      case "fetch" -> FETCH;
      default -> {
        Profile p = config.profiles().get(name);
        if (p == null) {
          throw new IllegalArgumentException("no sandbox profile '" + name + "'");
        }
        yield p;
      }
    };
  }

  /** Every profile the configuration can name, built-in ones first. */
  public static Map<String, Profile> all(SandboxConfig config) {
    Map<String, Profile> out = new LinkedHashMap<>();
    out.put("strict", STRICT);
    out.put("filesystem", FILESYSTEM);
    out.put("fetch", FETCH);
    out.putAll(new java.util.TreeMap<>(config.profiles()));
    return out;
  }

  /** What {@code profile} needs that {@code host} cannot do; empty when it is fully enforced. */
  public static List<String> missing(Profile profile, HostSupport host) {
    List<String> out = new ArrayList<>();
    if (!host.bwrap()) {
      out.add(host.bwrapPath() == null ? "bubblewrap (bwrap) is not installed: no file system, network or "
          + "environment isolation" : "bubblewrap is installed but cannot create a sandbox here");
      return out;
    }
    if (!host.pidNs()) {
      out.add("pid namespace");
    }
    if (!profile.network() && !host.netNs()) {
      out.add("network isolation (network namespace)");
    }
    if (!host.seccomp()) {
      out.add("seccomp filter");
    }
    Limits l = profile.limits();
    if ((l.openFiles() > 0 || l.cpuSeconds() > 0 || l.addressSpaceBytes() > 0) && !host.prlimit()) {
      out.add("per-process limits (prlimit)");
    }
    if (l.memoryBytes() > 0 && !host.cgroupV1Memory()) {
      out.add("memory limit (no writable cgroup v1 memory hierarchy)");
    }
    if (l.processes() > 0 && !host.cgroupV1Pids() && (host.root() || !host.prlimit())) {
      out.add("process limit (no writable cgroup v1 pids hierarchy" + (host.root() ? "; RLIMIT_NPROC does not bind "
          + "root" : "") + ")");
    }
    return out;
  }

  /** What {@code profile} enforces on {@code host}, one line per mechanism. */
  public static List<String> enforced(Profile profile, HostSupport host) {
    List<String> out = new ArrayList<>();
    if (!host.bwrap()) {
      return out;
    }
    out.add("read-only system (/usr, /etc without secrets), private /tmp and home, new mount/ipc/uts namespaces"
        + (host.pidNs() ? ", own pid namespace" : "") + (host.userNs() ? ", user namespace" : ""));
    out.add("all capabilities dropped, new session, dies with the gateway");
    out.add("environment cleared except PATH, HOME, LANG, TMPDIR, the server's own env"
        + (profile.env().isEmpty() ? "" : " and " + String.join(", ", profile.env())));
    out.add(profile.network() ? "network: the host's (granted)" : host.netNs() ? "network: none (own namespace, "
        + "loopback only)" : "network: NOT isolated");
    List<String> paths = new ArrayList<>();
    profile.read().forEach(p -> paths.add(p + " (read)"));
    profile.write().forEach(p -> paths.add(p + " (read-write)"));
    if (!profile.serverArgs().equals("none")) {
      paths.add("directories in the server's arguments (" + (profile.serverArgs().equals("write") ? "read-write"
          : "read") + ")");
    }
    out.add("paths: the server's program and script (read)" + (paths.isEmpty() ? "" : ", " + String.join(", ",
        paths)));
    if (host.seccomp()) {
      out.add("seccomp: " + Seccomp.DENIED.size() + " syscalls refused (ptrace, mount, bpf, unshare, setns, "
          + "keyctl, ...), namespace clones refused");
    }
    Limits l = profile.limits();
    List<String> limits = new ArrayList<>();
    if (l.memoryBytes() > 0 && host.cgroupV1Memory()) {
      limits.add("memory " + size(l.memoryBytes()) + " (cgroup v1)");
    }
    if (l.processes() > 0 && host.cgroupV1Pids()) {
      limits.add("processes " + l.processes() + " (cgroup v1 pids)");
    } else if (l.processes() > 0 && host.prlimit() && !host.root()) {
      limits.add("processes " + l.processes() + " (RLIMIT_NPROC, counts all of the user's processes)");
    }
    if (host.prlimit()) {
      if (l.openFiles() > 0) {
        limits.add("open files " + l.openFiles());
      }
      if (l.cpuSeconds() > 0) {
        limits.add("cpu " + l.cpuSeconds() + "s");
      }
      if (l.addressSpaceBytes() > 0) {
        limits.add("address space " + size(l.addressSpaceBytes()));
      }
    }
    out.add("limits: " + (limits.isEmpty() ? "none" : String.join(", ", limits)));
    return out;
  }

  static String size(long bytes) {
    if (bytes % (1L << 30) == 0) {
      return (bytes >> 30) + "g";
    }
    if (bytes % (1L << 20) == 0) {
      return (bytes >> 20) + "m";
    }
    return bytes + "b";
  }
}
