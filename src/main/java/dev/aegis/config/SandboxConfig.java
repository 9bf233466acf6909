package dev.aegis.config;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code sandbox:} section and each stdio server's {@code sandbox:} choice (docs/sandbox.md).
 *
 * <pre>{@code
 * sandbox:
 *   default: off          # profile for stdio servers that name none: off (the default) or a profile name
 *   degrade: false        # true: start a server whose profile this machine cannot fully enforce, with a warning
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
 * @param defaultProfile the profile of stdio servers that name none; null for none (off)
 * @param degrade whether a server whose profile cannot be fully enforced here still starts (with a warning)
 * @param servers each server's own choice: a profile name, or {@link #OFF}
 */
public record SandboxConfig(Map<String, Profile> profiles, String defaultProfile, boolean degrade,
    Map<String, String> servers) {

  /** A server's choice for no sandbox ({@code sandbox: false} or {@code off}). */
  public static final String OFF = "off";

  /** The names of the built-in profiles. */
  public static final Set<String> BUILT_IN = Set.of("strict", "filesystem", "fetch");

  /** No sandbox anywhere: the behaviour before the section existed. */
  public static final SandboxConfig DEFAULT = new SandboxConfig(Map.of(), null, false, Map.of());

  public SandboxConfig {
    profiles = Map.copyOf(profiles);
    servers = Map.copyOf(servers);
    for (String name : profiles.keySet()) {
      if (BUILT_IN.contains(name)) {
        throw new IllegalArgumentException("profile '" + name + "' is built in and cannot be redefined");
      }
    }
  }

  /** The profile name that applies to server {@code server}, or null when it runs unsandboxed. */
  public String profileOf(String server) {
    String chosen = servers.getOrDefault(server, defaultProfile);
    return chosen == null || chosen.equals(OFF) ? null : chosen;
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
