package dev.aegis.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Watches sandboxed process trees: samples each tree's resident memory, CPU time and threads from {@code /proc}
 * while it runs, and when it ends reports its exit code (from bubblewrap's status), CPU, peak memory (the cgroup's
 * peak when there is one) and whether a limit killed it, as one log line and as an {@link Exit} value.
 *
 * <pre>{@code SandboxMonitor.Watch w = monitor.watch("fs", pid, group, statusFile); w.exited().thenAccept(...); }</pre>
 */
public final class SandboxMonitor {
  private static final long PAGE = 4096;
  private static final long TICKS = 100; // USER_HZ on every Linux Aegis runs on
  private static final int SIGKILL = 9;
  private static final int SIGXCPU = 24;

  private final ScheduledExecutorService timer;
  private final Duration every;
  private final Consumer<String> log;
  private final Consumer<String> warn;

  private static final int RECENT_EXITS = 50;
  /** Trees being watched, by launcher pid. */
  private final Map<Long, Watch> watching = new ConcurrentHashMap<>();
  /** The last exits, newest last. */
  private final java.util.Deque<Exit> recent = new java.util.ArrayDeque<>();
  private final java.util.List<Consumer<Exit>> onExit = new java.util.concurrent.CopyOnWriteArrayList<>();

  SandboxMonitor(ScheduledExecutorService timer, Duration every, Consumer<String> log, Consumer<String> warn) {
    this.timer = timer;
    this.every = every;
    this.log = log;
    this.warn = warn;
  }

  /** A tree being watched, as last sampled. */
  public record Live(String server, long pid, java.time.Instant since, double cpuSeconds, long rssBytes,
      int threads) {}

  /** Every tree being watched now. */
  public java.util.List<Live> live() {
    java.util.List<Live> out = new java.util.ArrayList<>();
    for (Watch w : watching.values()) {
      long ticks = w.cpuTicks.values().stream().mapToLong(Long::longValue).sum();
      out.add(new Live(w.server, w.pid, w.since, ticks / (double) TICKS, w.rss, w.threads));
    }
    out.sort(java.util.Comparator.comparing(Live::server).thenComparing(Live::pid));
    return out;
  }

  /** The last exits (at most 50), oldest first. */
  public java.util.List<Exit> recentExits() {
    synchronized (recent) {
      return java.util.List.copyOf(recent);
    }
  }

  /** Calls {@code listener} with every exit from now on (on the monitor's thread). */
  void onExit(Consumer<Exit> listener) {
    onExit.add(listener);
  }

  /**
   * How a sandboxed server ended.
   *
   * @param exitCode the server's exit code (128 + signal when a signal ended it); -1 when unknown
   * @param cpuSeconds CPU time of the tree as last sampled
   * @param maxRssBytes peak memory (cgroup peak, else the largest sampled resident set)
   * @param maxThreads most threads seen at once
   * @param killedByLimit a limit ended it: SIGKILL or SIGXCPU, or the memory limit was hit
   * @param limitsHit which limits were hit (memory, processes, cpu)
   */
  public record Exit(String server, long pid, int exitCode, double cpuSeconds, long maxRssBytes, int maxThreads,
      boolean killedByLimit, java.util.List<String> limitsHit) {
    /** The log line. */
    public String describe() {
      return String.format(java.util.Locale.ROOT, "sandboxed server '%s' (pid %d) exited with code %s, cpu %.2fs, "
          + "max rss %d MiB, max threads %d%s%s", server, pid, exitCode < 0 ? "unknown" : Integer.toString(exitCode),
          cpuSeconds, maxRssBytes >> 20, maxThreads, killedByLimit ? ", killed by limit" : "",
          limitsHit.isEmpty() ? "" : " (limits hit: " + String.join(", ", limitsHit) + ")");
    }
  }

  /** One watched tree. */
  public final class Watch {
    private final String server;
    private final long pid;
    private final Cgroups.Group group;
    private final Path status;
    private final Map<Long, Long> cpuTicks = new ConcurrentHashMap<>();
    private volatile long maxRss;
    private volatile int maxThreads;
    private volatile long rss;
    private volatile int threads;
    private final java.time.Instant since = java.time.Instant.now();
    private final CompletableFuture<Exit> exited = new CompletableFuture<>();
    private volatile ScheduledFuture<?> sampling;

    private Watch(String server, long pid, Cgroups.Group group, Path status) {
      this.server = server;
      this.pid = pid;
      this.group = group;
      this.status = status;
    }

    /** Completes when the tree is gone. */
    public CompletableFuture<Exit> exited() {
      return exited;
    }

    private void sample() {
      ProcessHandle.of(pid).ifPresent(root -> {
        long rss = 0;
        int threads = 0;
        for (ProcessHandle h : (Iterable<ProcessHandle>) java.util.stream.Stream.concat(java.util.stream.Stream.of(
            root), root.descendants())::iterator) {
          long[] stat = stat(h.pid());
          if (stat != null) {
            cpuTicks.put(h.pid(), stat[0]);
            threads += (int) stat[1];
            rss += stat[2] * PAGE;
          }
        }
        this.rss = rss;
        this.threads = threads;
        maxRss = Math.max(maxRss, rss);
        maxThreads = Math.max(maxThreads, threads);
      });
    }

    private void finish() {
      ScheduledFuture<?> s = sampling;
      if (s != null) {
        s.cancel(false);
      }
      int code = exitCode(status);
      java.util.List<String> hit = new java.util.ArrayList<>();
      long peak = maxRss;
      if (group != null) {
        long charged = group.maxMemory(); // the kernel's own peak for the tree; sampled RSS double-counts sharing
        peak = charged >= 0 ? charged : peak;
        if (group.memoryLimitHit()) {
          hit.add("memory");
        }
        if (group.pidsLimitHit()) {
          hit.add("processes");
        }
        removeLater(group, 0);
      }
      if (code == 128 + SIGXCPU) {
        hit.add("cpu");
      }
      boolean killed = code == 128 + SIGKILL || code == 128 + SIGXCPU || hit.contains("memory") && code != 0;
      long ticks = cpuTicks.values().stream().mapToLong(Long::longValue).sum();
      Exit exit = new Exit(server, pid, code, ticks / (double) TICKS, peak, maxThreads, killed, hit);
      try {
        Files.deleteIfExists(status);
      } catch (IOException ignored) {
        // a temp file
      }
      (killed || !hit.isEmpty() ? warn : log).accept(exit.describe());
      watching.remove(pid);
      synchronized (recent) {
        recent.addLast(exit);
        while (recent.size() > RECENT_EXITS) {
          recent.removeFirst();
        }
      }
      for (Consumer<Exit> l : onExit) {
        try {
          l.accept(exit);
        } catch (RuntimeException e) {
          warn.accept("a sandbox exit listener failed: " + e);
        }
      }
      exited.complete(exit);
    }
  }

  /** Removes a finished tree's groups, retrying while its last tasks exit (up to ~5 s). */
  private void removeLater(Cgroups.Group group, int attempt) {
    if (!group.remove() && attempt < 50) {
      timer.schedule(() -> removeLater(group, attempt + 1), 100, TimeUnit.MILLISECONDS);
    } else {
      live.remove(group);
    }
  }

  /** Groups of trees that have not finished; removed at the latest when the gateway exits. */
  private final java.util.Set<Cgroups.Group> live = ConcurrentHashMap.newKeySet();

  /** Best effort at exit: kill what is left in the groups and remove them, waiting up to a second for the kills. */
  void removeAll() {
    long deadline = System.nanoTime() + 1_000_000_000L;
    while (!live.isEmpty() && System.nanoTime() < deadline) {
      live.removeIf(Cgroups.Group::remove);
      if (!live.isEmpty()) {
        try {
          Thread.sleep(20); // shutdown only: killed tasks need a moment to leave their groups
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Starts watching the tree under {@code pid} (the launcher, which became bubblewrap). */
  Watch watch(String server, long pid, Cgroups.Group group, Path status) {
    Watch w = new Watch(server, pid, group, status);
    watching.put(pid, w);
    if (group != null) {
      live.add(group);
    }
    java.util.Optional<ProcessHandle> h = ProcessHandle.of(pid);
    w.sample();
    w.sampling = timer.scheduleWithFixedDelay(w::sample, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    if (h.isPresent()) {
      h.get().onExit().whenComplete((x, e) -> w.finish());
    } else {
      w.finish();
    }
    return w;
  }

  /** utime+stime ticks, threads, rss pages of one process; null when it is gone. */
  static long[] stat(long pid) {
    try {
      String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
      int close = s.lastIndexOf(')');
      if (close < 0) {
        return null;
      }
      String[] f = s.substring(close + 2).split(" ");
      // fields after "(comm) ": state=0 ... utime=11 stime=12 ... num_threads=17 ... rss=21
      return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[17]), Long.parseLong(f[21])};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The last {@code "exit-code"} bubblewrap wrote to its status file; -1 when there is none. */
  static int exitCode(Path status) {
    try {
      String text = Files.readString(status, StandardCharsets.UTF_8);
      int at = text.lastIndexOf("\"exit-code\"");
      if (at < 0) {
        return -1;
      }
      int i = text.indexOf(':', at) + 1;
      while (i < text.length() && text.charAt(i) == ' ') {
        i++;
      }
      int j = i;
      while (j < text.length() && Character.isDigit(text.charAt(j))) {
        j++;
      }
      return j > i && j - i < 6 ? Integer.parseInt(text.substring(i, j)) : -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
