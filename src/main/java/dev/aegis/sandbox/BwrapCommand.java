package dev.aegis.sandbox;

import dev.aegis.config.SandboxConfig.Limits;
import dev.aegis.config.SandboxConfig.Profile;
import dev.aegis.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a stdio server's command line and a profile into the command the gateway starts:
 *
 * <pre>
 * /bin/sh -c SCRIPT aegis-sandbox SECCOMP STATUS [cgroup.procs ...] -- \
 *     bwrap [namespaces, mounts, env] --seccomp 3 --json-status-fd 4 -- /usr/bin/prlimit [limits] -- COMMAND...
 * </pre>
 *
 * Java cannot hand a child extra file descriptors, so the small shell script joins the cgroups (writing its own pid,
 * which {@code exec} keeps), opens the seccomp program as fd 3 and the status file as fd 4, and execs bubblewrap.
 * (dash, the usual /bin/sh, redirects only fds 0-9; the JVM starts children with fds 3 and up closed.)
 * Every value reaches the script as a positional argument, never as script text.
 */
final class BwrapCommand {
  private BwrapCommand() {}

  static final String SCRIPT = "s=$1; j=$2; shift 2\n"
      + "while [ \"$#\" -gt 0 ] && [ \"$1\" != -- ]; do\n"
      + "  echo $$ > \"$1\" || { echo \"aegis sandbox: cannot join cgroup $1\" >&2; exit 125; }\n"
      + "  shift\n"
      + "done\n"
      + "shift\n"
      + "exec \"$@\" 3<\"$s\" 4>\"$j\"\n";

  /** The sandbox's home folder (a private, empty tmpfs). */
  static final String HOME = "/home/aegis";
  static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  private static final List<String> SYSTEM = List.of("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32");
  /** Files under /etc hidden behind /dev/null, and folders hidden behind an empty tmpfs. */
  private static final List<String> ETC_SECRET_FILES = List.of("/etc/shadow", "/etc/shadow-", "/etc/gshadow",
      "/etc/gshadow-", "/etc/sudoers", "/etc/security/opasswd", "/etc/krb5.keytab");
  private static final List<String> ETC_SECRET_DIRS = List.of("/etc/ssh", "/etc/ssl/private", "/etc/sudoers.d",
      "/etc/NetworkManager/system-connections", "/etc/wireguard", "/etc/letsencrypt");

  /** The pieces of one launch. */
  record Plan(List<String> command, List<String> installPaths, List<String> argPaths) {}

  static Plan build(ServerConfig.Stdio s, Profile profile, HostSupport host, Path seccomp, Path status,
      List<String> cgroupProcs, Map<String, String> gatewayEnv) throws IOException {
    Path cwd = Path.of(s.cwd() != null ? s.cwd() : System.getProperty("user.dir")).toAbsolutePath();
    List<String> line = new ArrayList<>(s.command());
    String exe = resolveExecutable(line.get(0), s.env().getOrDefault("PATH", gatewayEnv.get("PATH")), cwd);
    line.set(0, exe);
    Set<String> install = new LinkedHashSet<>();
    Set<String> argDirs = new LinkedHashSet<>();
    Path real = Path.of(exe).toRealPath();
    if (!underSystem(real) && packageRoot(real).getFileName() != null && packageRoot(real).getFileName().toString()
        .equals("node_modules")) {
      install.add(packageRoot(real).toString()); // a package's bin link: its dependencies sit beside it
    } else if (!underSystem(real)) {
      Path dir = real.getParent();
      install.add((dir.getFileName() != null && dir.getFileName().toString().equals("bin") && dir.getParent() != null
          && !personal(dir.getParent()) ? dir.getParent() : dir).toString());
    }
    boolean scriptSeen = false;
    for (int i = 1; i < line.size(); i++) {
      String a = line.get(i);
      if ((a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path")) && i + 1 < line.size()) {
        List<String> entries = new ArrayList<>();
        for (String entry : line.get(i + 1).split(":")) {
          Path e = absolute(entry, cwd);
          if (!entry.isEmpty() && Files.exists(e)) {
            install.add(e.toString());
            entries.add(e.toString()); // absolute: the sandbox may start elsewhere than cwd
          }
        }
        line.set(i + 1, String.join(":", entries));
        i++;
        continue;
      }
      if (a.startsWith("-")) {
        continue;
      }
      Path p = absolute(a, cwd);
      if (!scriptSeen && Files.isRegularFile(p)) {
        scriptSeen = true;
        line.set(i, p.toString());
        Path root = packageRoot(p.toRealPath()); // node resolves modules from the real path
        install.add(root.toString());
        if (!root.getFileName().toString().equals("node_modules")) {
          install.addAll(nodeAncestry(root));
        }
      } else if (Files.isDirectory(p)) {
        argDirs.add(p.toString());
        line.set(i, p.toString());
      }
    }

    List<String> b = new ArrayList<>();
    b.add(host.bwrapPath());
    // --unshare-all, spelled out so that a degraded start leaves out only what this machine lacks
    b.addAll(List.of("--unshare-user-try", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"));
    if (host.pidNs()) {
      b.add("--unshare-pid");
    }
    if (!profile.network() && host.netNs()) {
      b.add("--unshare-net");
    }
    b.addAll(List.of("--die-with-parent", "--new-session", "--cap-drop", "ALL", "--hostname", "aegis-sandbox"));
    for (String d : SYSTEM) {
      Path p = Path.of(d);
      if (Files.isSymbolicLink(p)) {
        b.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), d));
      } else if (Files.isDirectory(p)) {
        b.addAll(List.of("--ro-bind", d, d));
      }
    }
    b.addAll(List.of("--ro-bind", "/etc", "/etc"));
    for (String f : ETC_SECRET_FILES) {
      if (Files.isRegularFile(Path.of(f))) {
        b.addAll(List.of("--ro-bind", "/dev/null", f));
      }
    }
    for (String d : ETC_SECRET_DIRS) {
      if (Files.isDirectory(Path.of(d))) {
        b.addAll(List.of("--tmpfs", d, "--remount-ro", d));
      }
    }
    b.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/var", "--dir", "/var/tmp",
        "--tmpfs", "/run", "--tmpfs", "/home", "--dir", HOME));
    for (String h : new LinkedHashSet<>(List.of("/root", System.getProperty("user.home", "/root")))) {
      if (!h.equals("/") && !h.startsWith("/home/") && !h.startsWith("/tmp/") && Files.isDirectory(Path.of(h))
          && !underSystem(Path.of(h))) {
        b.addAll(List.of("--tmpfs", h));
      }
    }
    for (String p : install) {
      b.addAll(List.of("--ro-bind", p, p));
    }
    for (String p : profile.read()) {
      b.addAll(List.of("--ro-bind-try", p, p));
    }
    for (String p : profile.write()) {
      b.addAll(List.of("--bind-try", p, p));
    }
    if (!profile.serverArgs().equals("none")) {
      for (String p : argDirs) {
        b.addAll(List.of(profile.serverArgs().equals("write") ? "--bind" : "--ro-bind", p, p));
      }
    }
    b.add("--clearenv");
    for (Map.Entry<String, String> e : environment(s, profile, gatewayEnv, real).entrySet()) {
      b.addAll(List.of("--setenv", e.getKey(), e.getValue()));
    }
    boolean cwdVisible = isUnder(cwd, install) || !profile.serverArgs().equals("none") && isUnder(cwd, argDirs)
        || isUnder(cwd, profile.read()) || isUnder(cwd, profile.write());
    b.addAll(List.of("--chdir", cwdVisible ? cwd.toString() : HOME));
    if (seccomp != null) {
      b.addAll(List.of("--seccomp", "3"));
    }
    b.addAll(List.of("--json-status-fd", "4", "--"));
    b.addAll(prlimit(profile.limits(), host, cgroupProcs));
    b.addAll(line);

    List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", SCRIPT, "aegis-sandbox",
        seccomp == null ? "/dev/null" : seccomp.toString(), status.toString()));
    command.addAll(cgroupProcs);
    command.add("--");
    command.addAll(b);
    return new Plan(List.copyOf(command), List.copyOf(install), List.copyOf(argDirs));
  }

  private static List<String> prlimit(Limits l, HostSupport host, List<String> cgroupProcs) {
    List<String> out = new ArrayList<>();
    if (!host.prlimit()) {
      return out;
    }
    if (l.openFiles() > 0) {
      out.add("--nofile=" + l.openFiles() + ":" + l.openFiles());
    }
    if (l.cpuSeconds() > 0) {
      out.add("--cpu=" + l.cpuSeconds() + ":" + (l.cpuSeconds() + 2)); // SIGXCPU first, SIGKILL 2 s later
    }
    if (l.addressSpaceBytes() > 0) {
      out.add("--as=" + l.addressSpaceBytes() + ":" + l.addressSpaceBytes());
    }
    boolean pidsGroup = cgroupProcs.stream().anyMatch(p -> p.contains("/pids/"));
    if (l.processes() > 0 && !pidsGroup && !host.root()) {
      out.add("--nproc=" + l.processes() + ":" + l.processes());
    }
    if (out.isEmpty()) {
      return out;
    }
    out.add(0, HostSupport.PRLIMIT);
    out.add("--");
    return out;
  }

  /** PATH, HOME, LANG, TMPDIR; the variables the profile names, from the gateway; the server's own env. */
  static Map<String, String> environment(ServerConfig.Stdio s, Profile profile, Map<String, String> gatewayEnv,
      Path exe) {
    Map<String, String> env = new LinkedHashMap<>();
    String path = PATH;
    if (!underSystem(exe)) {
      path = exe.getParent() + ":" + path;
    }
    env.put("PATH", path);
    env.put("HOME", HOME);
    env.put("TMPDIR", "/tmp");
    String lang = gatewayEnv.get("LANG");
    env.put("LANG", lang != null && saneLocale(lang) ? lang : "C.UTF-8");
    for (String name : profile.env()) {
      String v = gatewayEnv.get(name);
      if (v != null) {
        env.put(name, v);
      }
    }
    env.putAll(s.env());
    return env;
  }

  private static boolean saneLocale(String s) {
    if (s.isEmpty() || s.length() > 64) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '.' || c == '-' || c == '@')) {
        return false;
      }
    }
    return true;
  }

  static String resolveExecutable(String exe, String path, Path cwd) throws IOException {
    if (exe.contains("/")) {
      Path p = absolute(exe, cwd);
      if (!Files.isExecutable(p)) {
        throw new IOException("cannot run '" + exe + "': not an executable file");
      }
      return p.toString();
    }
    for (String dir : (path == null ? PATH : path).split(":")) {
      if (!dir.isEmpty()) {
        Path p = Path.of(dir, exe);
        if (Files.isExecutable(p) && !Files.isDirectory(p)) {
          return p.toAbsolutePath().toString();
        }
      }
    }
    throw new IOException("cannot run '" + exe + "': not found on PATH");
  }

  private static Path absolute(String p, Path cwd) {
    return cwd.resolve(p).toAbsolutePath().normalize();
  }

  /** For a script inside {@code node_modules}, that {@code node_modules} folder (its dependencies sit beside it). */
  private static Path packageRoot(Path script) {
    for (Path p = script.getParent(); p != null; p = p.getParent()) {
      if (p.getFileName() != null && p.getFileName().toString().equals("node_modules")) {
        return p;
      }
    }
    return script.getParent();
  }

  /**
   * For a script outside {@code node_modules}: the nearest {@code node_modules} folder above it and the nearest
   * {@code package.json} above its folder (whether {@code .js} is an ES module), as node looks them up.
   */
  private static List<String> nodeAncestry(Path scriptDir) {
    List<String> out = new ArrayList<>();
    boolean packageJson = Files.isRegularFile(scriptDir.resolve("package.json"));
    for (Path d = scriptDir.getParent(); d != null && d.getParent() != null && !underSystem(d); d = d.getParent()) {
      if (!packageJson && Files.isRegularFile(d.resolve("package.json"))) {
        out.add(d.resolve("package.json").toString());
        packageJson = true;
      }
      if (Files.isDirectory(d.resolve("node_modules"))) {
        out.add(d.resolve("node_modules").toString());
        break;
      }
    }
    return out;
  }

  /** The home folder or {@code ~/.local}: above a {@code bin/} there, the rest is the user's, not the program's. */
  private static boolean personal(Path p) {
    Path home = Path.of(System.getProperty("user.home", "/root")).toAbsolutePath().normalize();
    return p.equals(home) || p.equals(home.resolve(".local"));
  }

  private static boolean underSystem(Path p) {
    for (String d : SYSTEM) {
      if (p.startsWith(d)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isUnder(Path p, Iterable<String> roots) {
    for (String r : roots) {
      if (p.startsWith(r)) {
        return true;
      }
    }
    return false;
  }
}
