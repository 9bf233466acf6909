package dev.aegis.config;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code sandbox:} section and each stdio server's {@code sandbox:} choice (docs/sandbox.md).
 *
 * <pre>{@code
 * sandbox:
 *   default: auto         # stdio servers that name no profile: auto (the default: a built-in profile chosen from
 *                         # the command line, strict when nothing better is known), off, or a profile name
 *   degrade: false        # true: start a server whose named profile this machine cannot fully enforce, with a warning
 *   profiles:
 *     notes:
 *       network: false
 *       read: [~/notes]
 *       write: [~/notes/out]
 *       env: [NOTES_TOKEN]            # passed from the gateway's environment; everything else is cleared
 *       serverArgs: none              # none | read | write: grant the directories named in the server's arguments
 *       limits: {memory: 512m, processes: 64, openFiles: 256, cpu: 600s, addressSpace: 8g}
 * servers:
 *   fs: {command: node, args: [server-filesystem/dist/index.js, /data], sandbox: filesystem}
 * }</pre>
 *
 * @param profiles user profiles by name (built-in ones, {@code strict}, {@code filesystem} and {@code fetch}, are not
 *     listed here and cannot be redefined)
 * @param defaultProfile what applies to stdio servers that name no profile: {@link #AUTO}, {@link #OFF} or a profile
 *     name (null is read as {@link #OFF})
 * @param degrade whether a server whose named profile cannot be fully enforced here still starts (with a warning); the
 *     automatic default always does, loudly
 * @param servers each server's own choice: a profile name, or {@link #OFF}
 */
public record SandboxConfig(Map<String, Profile> profiles, String defaultProfile, boolean degrade,
    Map<String, String> servers) {

  /** A server's choice for no sandbox ({@code sandbox: false} or {@code off}). */
  public static final String OFF = "off";

  /** The names of the built-in profiles. */
  public static final Set<String> BUILT_IN = Set.of("strict", "filesystem", "fetch");

  /**
   * The default's choice for servers that name no profile: a built-in profile chosen from the command line
   * ({@code dev.aegis.sandbox.KnownServers}), strict when nothing better is known.
   */
  public static final String AUTO = "auto";

  /** What a configuration without a {@code sandbox:} section gets: the automatic default for every stdio server. */
  public static final SandboxConfig DEFAULT = new SandboxConfig(Map.of(), AUTO, false, Map.of());

  /** No sandbox anywhere ({@code sandbox: {default: off}}): an explicit opt-out. */
  public static final SandboxConfig OFF_EVERYWHERE = new SandboxConfig(Map.of(), OFF, false, Map.of());

  public SandboxConfig {
    defaultProfile = defaultProfile == null ? OFF : defaultProfile;
    profiles = Map.copyOf(profiles);
    servers = Map.copyOf(servers);
    for (String name : profiles.keySet()) {
      if (BUILT_IN.contains(name) || name.equals(AUTO) || name.equals(OFF)) {
        throw new IllegalArgumentException("profile '" + name + "' is built in and cannot be redefined");
      }
    }
  }

  /**
   * What the configuration says for server {@code server}: its own choice, else the default; a profile name, {@link
   * #OFF} or {@link #AUTO} ({@code dev.aegis.sandbox.Sandbox#choose} resolves AUTO for a command line).
   */
  public String choiceOf(String server) {
    return servers.getOrDefault(server, defaultProfile);
  }

  /** Whether server {@code server}'s choice was written in the configuration (on the server or as the default). */
  public boolean named(String server) {
    String c = choiceOf(server);
    return !c.equals(AUTO) && !c.equals(OFF);
  }

  /**
   * What a sandboxed server may do.
   *
   * @param network whether it keeps the host's network (otherwise it has a private one with only a loopback)
   * @param read paths bound read-only
   * @param write paths bound read-write
   * @param env names of variables passed from the gateway's environment (the server's own {@code env} always is)
   * @param serverArgs {@code none}, {@code read} or {@code write}: how directories named in the server's arguments
   *     (after its program or script) are granted
   * @param limits resource limits
   */
  public record Profile(boolean network, List<String> read, List<String> write, List<String> env, String serverArgs,
      Limits limits) {
    public static final Set<String> SERVER_ARGS = Set.of("none", "read", "write");

    public Profile {
      read = List.copyOf(read);
      write = List.copyOf(write);
      env = List.copyOf(env);
      if (!SERVER_ARGS.contains(serverArgs) || limits == null) {
        throw new IllegalArgumentException("serverArgs must be one of " + SERVER_ARGS + " and limits are required");
      }
    }
  }

  /**
   * Resource limits; 0 means not limited.
   *
   * @param memoryBytes memory of the whole process tree (cgroup)
   * @param processes processes and threads of the whole tree (cgroup pids; RLIMIT_NPROC when no cgroup)
   * @param openFiles open file descriptors per process (RLIMIT_NOFILE)
   * @param cpuSeconds CPU seconds per process (RLIMIT_CPU)
   * @param addressSpaceBytes virtual memory per process (RLIMIT_AS; JVMs and V8 reserve far more than they use)
   */
  public record Limits(long memoryBytes, int processes, int openFiles, long cpuSeconds, long addressSpaceBytes) {
    /** The built-in profiles' limits: 1 GiB, 512 tasks, 1024 files. */
    public static final Limits DEFAULT = new Limits(1L << 30, 512, 1024, 0, 0);

    public Limits {
      if (memoryBytes < 0 || processes < 0 || openFiles < 0 || cpuSeconds < 0 || addressSpaceBytes < 0) {
        throw new IllegalArgumentException("limits must not be negative");
      }
    }
  }
}
