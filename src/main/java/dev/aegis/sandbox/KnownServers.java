package dev.aegis.sandbox;

import dev.aegis.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the automatic default ({@code sandbox.default} not set, or {@code auto}) makes of a stdio server's command line:
 * which package it runs, whether a package launcher starts it, and so which built-in profile fits.
 *
 * <ul>
 *   <li>{@code @modelcontextprotocol/server-filesystem} gets {@code filesystem}: its roots are the folders in its
 *       arguments</li>
 *   <li>{@code mcp-server-fetch} (the reference fetch server, Python) gets {@code fetch}: network, no files</li>
 *   <li>{@code @modelcontextprotocol/server-memory} gets {@code strict} plus the folder of its {@code MEMORY_FILE_PATH}
 *       read-write (where it keeps its graph)</li>
 *   <li>anything else gets {@code strict}</li>
 * </ul>
 *
 * A package launcher ({@code npx}, {@code uvx}, {@code pnpm dlx}, {@code bunx}, {@code npm exec}, {@code yarn dlx})
 * resolves the package on the network at every start and writes its cache in the real home, so under a profile
 * without network it cannot start the server; and a container runtime ({@code docker}, {@code podman}) isolates on
 * its own and needs its daemon's socket. For those the automatic default grants nothing: the server starts
 * unsandboxed with a warning, unless the recognised package's profile has the network anyway ({@code fetch}), where
 * the launcher downloads into the sandbox's private, empty home.
 *
 * <pre>{@code KnownServers.Recognized r = KnownServers.recognize(stdio); r.profile(); // "filesystem" }</pre>
 *
 * Recognition reads only the command line and the file system (real paths of the program and script); it never runs
 * anything.
 */
public final class KnownServers {
  private KnownServers() {}

  /** Packages with a better fit than {@code strict}, by npm or PyPI name (PyPI names compared normalised). */
  static final Map<String, String> PROFILES = Map.of(
      "@modelcontextprotocol/server-filesystem", "filesystem",
      "mcp-server-fetch", "fetch",
      "@modelcontextprotocol/server-memory", "strict");

  /** Per package: an environment variable naming a file whose folder the server must be able to write. */
  static final Map<String, String> DATA_FILE_ENV = Map.of("@modelcontextprotocol/server-memory", "MEMORY_FILE_PATH");

  private static final List<String> LAUNCHERS = List.of("npx", "uvx", "bunx", "pnpx");
  private static final List<String> SUBCOMMAND_LAUNCHERS = List.of("npm", "pnpm", "yarn", "bun", "uv");
  private static final List<String> CONTAINERS = List.of("docker", "podman", "nerdctl");

  /**
   * What the command line is.
   *
   * @param packageName the npm or PyPI package it runs, when known; null otherwise
   * @param launcher the launcher or container runtime that starts it ({@code npx}, {@code docker}...), or null
   * @param container whether the launcher is a container runtime
   * @param profile the built-in profile that fits ({@code strict} when nothing better is known)
   * @param writeFolders folders the server must write to under that profile (from its own {@code env})
   * @param refused folders the server would need but that are too broad to grant without being asked (the home, its
   *     parents, {@code /}, {@code /tmp}, system folders), each with the variable that named it
   */
  public record Recognized(String packageName, String launcher, boolean container, String profile,
      List<String> writeFolders, List<String> refused) {
    public Recognized {
      writeFolders = List.copyOf(writeFolders);
      refused = List.copyOf(refused);
    }

    /** Whether the launcher can work under the profile: it needs the network, or there is no launcher. */
    public boolean launchable() {
      return launcher == null || !container && profile.equals("fetch");
    }
  }

  /** Recognises {@code s}'s command line. */
  public static Recognized recognize(ServerConfig.Stdio s) {
    List<String> cmd = s.command();
    String exe = base(cmd.get(0));
    String launcher = null;
    String pkg = null;
    boolean container = CONTAINERS.contains(exe);
    if (container) {
      launcher = exe;
    } else if (LAUNCHERS.contains(exe)) {
      launcher = exe;
      pkg = launchedPackage(cmd, 1);
    } else if (SUBCOMMAND_LAUNCHERS.contains(exe) && cmd.size() > 2 && List.of("exec", "dlx", "x", "tool")
        .contains(cmd.get(1))) {
      launcher = exe + " " + cmd.get(1);
      int from = 2;
      if (exe.equals("uv") && cmd.get(1).equals("tool") && cmd.size() > 3 && cmd.get(2).equals("run")) {
        from = 3;
      }
      pkg = launchedPackage(cmd, from);
    } else {
      pkg = packageOfFile(onPath(cmd.get(0), s.env().getOrDefault("PATH", System.getenv("PATH"))), s.cwd());
      if (pkg == null && isPython(exe)) {
        pkg = pythonModule(cmd);
      }
      for (int i = 1; pkg == null && i < cmd.size() && i < 8; i++) {
        if (!cmd.get(i).startsWith("-")) {
          pkg = packageOfFile(cmd.get(i), s.cwd());
          break;
        }
      }
      if (pkg == null) {
        pkg = normalise(base(cmd.get(0))); // a console script on PATH: mcp-server-fetch
        if (!PROFILES.containsKey(pkg)) {
          pkg = null;
        }
      }
    }
    String key = pkg == null ? null : PROFILES.containsKey(pkg) ? pkg : normalise(pkg);
    String profile = key != null && PROFILES.containsKey(key) ? PROFILES.get(key) : "strict";
    List<String> write = List.of();
    List<String> refused = List.of();
    String dataEnv = key == null ? null : DATA_FILE_ENV.get(key);
    if (dataEnv != null) {
      String file = s.env().get(dataEnv);
      if (file != null && Path.of(file).isAbsolute() && Path.of(file).getParent() != null) {
        Path folder = Path.of(file).normalize().getParent();
        if (tooBroad(folder)) {
          refused = List.of(folder + " (" + dataEnv + ")");
        } else {
          write = List.of(folder.toString());
        }
      }
    }
    return new Recognized(key != null && PROFILES.containsKey(key) ? key : pkg, launcher, container, profile, write,
        refused);
  }

  /** A folder the automatic default never grants on its own: {@code /}, the home or above, shared temp, system. */
  static boolean tooBroad(Path folder) {
    Path home = Path.of(System.getProperty("user.home", "/root")).toAbsolutePath().normalize();
    if (folder.getParent() == null || home.startsWith(folder)) {
      return true;
    }
    for (String d : List.of("/tmp", "/var/tmp", "/dev/shm", "/run", "/var", "/etc", "/usr", "/bin", "/sbin", "/lib",
        "/lib64", "/opt", "/srv", "/proc", "/sys", "/dev", "/boot")) {
      if (folder.equals(Path.of(d)) || !List.of("/tmp", "/var/tmp", "/var", "/opt", "/srv").contains(d)
          && folder.startsWith(d)) {
        return true;
      }
    }
    return false;
  }

  /** The first argument after the launcher's own options: {@code -y @scope/pkg@1.2.3} gives {@code @scope/pkg}. */
  private static String launchedPackage(List<String> cmd, int from) {
    for (int i = from; i < cmd.size(); i++) {
      String a = cmd.get(i);
      if (a.equals("--package") || a.equals("-p") || a.equals("--from") || a.equals("--with")) {
        return i + 1 < cmd.size() ? withoutVersion(cmd.get(i + 1)) : null;
      }
      if (a.startsWith("--package=") || a.startsWith("--from=")) {
        return withoutVersion(a.substring(a.indexOf('=') + 1));
      }
      if (!a.startsWith("-")) {
        return withoutVersion(a);
      }
    }
    return null;
  }

  /** {@code @scope/pkg@1.2}, {@code pkg@latest}, {@code pkg==1.0}: the name alone. */
  static String withoutVersion(String spec) {
    int at = spec.indexOf('@', spec.startsWith("@") ? 1 : 0);
    String name = at > 0 ? spec.substring(0, at) : spec;
    for (String sep : List.of("==", ">=", "<=", "~=", "[")) {
      int i = name.indexOf(sep);
      if (i > 0) {
        name = name.substring(0, i);
      }
    }
    return name;
  }

  /** For a file inside {@code node_modules} (resolved through symlinks, as {@code .bin} links are): its package. */
  private static String packageOfFile(String arg, String cwd) {
    try {
      Path p = Path.of(cwd != null ? cwd : System.getProperty("user.dir")).resolve(arg);
      if (!arg.contains("/") || !Files.isRegularFile(p)) {
        return null;
      }
      Path real = p.toRealPath();
      Path pkg = null;
      for (int i = 0; i < real.getNameCount() - 1; i++) {
        if (real.getName(i).toString().equals("node_modules")) {
          String first = real.getName(i + 1).toString();
          pkg = first.startsWith("@") && i + 2 < real.getNameCount() - 1 ? Path.of(first, real.getName(i + 2)
              .toString()) : Path.of(first);
        }
      }
      return pkg == null ? null : pkg.toString().replace('\\', '/');
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  /** A bare program name as found on {@code path} (so that a global npm bin link leads to its package). */
  private static String onPath(String exe, String path) {
    if (exe.contains("/") || path == null) {
      return exe;
    }
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, exe))) {
        return Path.of(dir, exe).toString();
      }
    }
    return exe;
  }

  /** {@code python -m mcp_server_fetch}: the module, spelled as its package. */
  private static String pythonModule(List<String> cmd) {
    for (int i = 1; i + 1 < cmd.size(); i++) {
      if (cmd.get(i).equals("-m")) {
        return normalise(cmd.get(i + 1));
      }
    }
    return null;
  }

  private static boolean isPython(String exe) {
    return exe.equals("python") || exe.startsWith("python3");
  }

  /** PyPI's normalisation: lower case, runs of {@code -_.} as one {@code -}. */
  static String normalise(String name) {
    if (name.startsWith("@")) {
      return name;
    }
    StringBuilder b = new StringBuilder();
    for (char c : name.toLowerCase(Locale.ROOT).toCharArray()) {
      boolean sep = c == '-' || c == '_' || c == '.';
      if (!sep) {
        b.append(c);
      } else if (b.length() > 0 && b.charAt(b.length() - 1) != '-') {
        b.append('-');
      }
    }
    return b.toString();
  }

  private static String base(String exe) {
    String b = exe.substring(exe.lastIndexOf('/') + 1);
    return b.endsWith(".cmd") || b.endsWith(".exe") ? b.substring(0, b.length() - 4) : b;
  }
}
