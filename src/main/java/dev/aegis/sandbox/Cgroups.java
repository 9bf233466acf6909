package dev.aegis.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * cgroup v1 groups for one sandboxed process tree: a {@code memory} group (limit, peak usage, OOM kills) and a
 * {@code pids} group (task limit), created below the gateway's own groups. Only v1 is enforced; v2 is probed and
 * reported (see docs/sandbox.md).
 */
final class Cgroups {
  static final Path ROOT = Path.of("/sys/fs/cgroup");

  private Cgroups() {}

  /** The gateway's own v1 group directory for {@code controller}, or null when there is none. */
  static Path ownV1(String controller) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"), StandardCharsets.UTF_8)) {
        String[] f = line.split(":", 3);
        if (f.length == 3 && !f[1].isEmpty() && List.of(f[1].split(",")).contains(controller)) {
          Path mount = ROOT.resolve(controller);
          if (!Files.isRegularFile(mount.resolve("cgroup.procs"))) {
            return null;
          }
          String rel = f[2].startsWith("/") ? f[2].substring(1) : f[2];
          return rel.isEmpty() ? mount : mount.resolve(rel);
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }

  /** Whether a child group can be made (and removed) under the gateway's own v1 {@code controller} group. */
  static boolean writableV1(String controller) {
    Path own = ownV1(controller);
    if (own == null) {
      return false;
    }
    Path probe = own.resolve("aegis-probe-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    try {
      Files.createDirectory(probe);
      boolean ok = Files.isWritable(probe.resolve("cgroup.procs"));
      Files.delete(probe);
      return ok;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Whether cgroup v2 offers memory and pids to a child of the gateway's own group. */
  static boolean usableV2() {
    try {
      Path mount = Files.isRegularFile(ROOT.resolve("cgroup.controllers")) ? ROOT : ROOT.resolve("unified");
      for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"), StandardCharsets.UTF_8)) {
        if (line.startsWith("0::")) {
          String rel = line.substring(3);
          Path own = mount.resolve(rel.startsWith("/") ? rel.substring(1) : rel);
          String controllers = Files.readString(own.resolve("cgroup.controllers"), StandardCharsets.UTF_8);
          List<String> names = List.of(controllers.trim().replace('\n', ' ').split(" "));
          return names.contains("memory") && names.contains("pids") && Files.isWritable(own);
        }
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
    return false;
  }

  /** One tree's groups; {@link #procsFiles()} are what the launcher writes its pid to before it execs bubblewrap. */
  static final class Group {
    private final Path memory;
    private final Path pids;

    private Group(Path memory, Path pids) {
      this.memory = memory;
      this.pids = pids;
    }

    /**
     * Makes the groups that the limits need ({@code memoryBytes} / {@code processes} &gt; 0).
     *
     * @throws IOException when a group cannot be made or limited
     */
    static Group create(String name, long memoryBytes, int processes) throws IOException {
      String leaf = "aegis-" + name + "-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime());
      Path mem = null;
      Path pid = null;
      try {
        if (memoryBytes > 0) {
          mem = make("memory", leaf);
          write(mem.resolve("memory.limit_in_bytes"), Long.toString(memoryBytes));
          if (Files.exists(mem.resolve("memory.memsw.limit_in_bytes"))) {
            write(mem.resolve("memory.memsw.limit_in_bytes"), Long.toString(memoryBytes)); // no escape into swap
          }
        }
        if (processes > 0) {
          pid = make("pids", leaf);
          write(pid.resolve("pids.max"), Integer.toString(processes));
        }
      } catch (IOException e) {
        new Group(mem, pid).remove();
        throw e;
      }
      return new Group(mem, pid);
    }

    private static Path make(String controller, String leaf) throws IOException {
      Path own = ownV1(controller);
      if (own == null) {
        throw new IOException("no cgroup v1 '" + controller + "' hierarchy");
      }
      return Files.createDirectory(own.resolve(leaf));
    }

    private static void write(Path file, String value) throws IOException {
      Files.writeString(file, value, StandardCharsets.US_ASCII);
    }

    List<String> procsFiles() {
      List<String> out = new ArrayList<>();
      if (memory != null) {
        out.add(memory.resolve("cgroup.procs").toString());
      }
      if (pids != null) {
        out.add(pids.resolve("cgroup.procs").toString());
      }
      return out;
    }

    /** Peak memory of the tree in bytes, or -1. */
    long maxMemory() {
      return memory == null ? -1 : readLong(memory.resolve("memory.max_usage_in_bytes"));
    }

    /** Whether the memory limit made the kernel kill a task (or refuse memory) in this group. */
    boolean memoryLimitHit() {
      if (memory == null) {
        return false;
      }
      try {
        for (String line : Files.readAllLines(memory.resolve("memory.oom_control"), StandardCharsets.US_ASCII)) {
          if (line.startsWith("oom_kill ") && Long.parseLong(line.substring(9).trim()) > 0) {
            return true;
          }
        }
      } catch (IOException | RuntimeException e) {
        // fall through to failcnt
      }
      return readLong(memory.resolve("memory.failcnt")) > 0;
    }

    /** Whether a fork or thread was refused by the task limit. */
    boolean pidsLimitHit() {
      if (pids == null) {
        return false;
      }
      try {
        String events = Files.readString(pids.resolve("pids.events"), StandardCharsets.US_ASCII).trim();
        return events.startsWith("max ") && Long.parseLong(events.substring(4).trim()) > 0;
      } catch (IOException | RuntimeException e) {
        return false;
      }
    }

    /**
     * Kills any task still in the groups (stragglers of a tree whose launcher is gone) and removes the groups.
     *
     * @return whether both are gone; false while killed tasks are still exiting (call again)
     */
    boolean remove() {
      boolean gone = true;
      for (Path p : new Path[] {memory, pids}) {
        if (p == null || !Files.isDirectory(p)) {
          continue;
        }
        try {
          for (String pid : Files.readAllLines(p.resolve("cgroup.procs"), StandardCharsets.US_ASCII)) {
            if (!pid.isBlank()) {
              ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
            }
          }
          Files.deleteIfExists(p);
        } catch (IOException | RuntimeException e) {
          gone = false; // tasks still exiting
        }
      }
      return gone;
    }

    private static long readLong(Path file) {
      try {
        return Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
      } catch (IOException | RuntimeException e) {
        return -1;
      }
    }
  }
}
