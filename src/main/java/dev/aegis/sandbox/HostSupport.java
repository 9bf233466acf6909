package dev.aegis.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What this machine can enforce, found by trying each thing once (running bubblewrap, making a cgroup), never by
 * assuming from the kernel version.
 *
 * <pre>{@code HostSupport host = HostSupport.probe(); if (!host.bwrap()) ... }</pre>
 *
 * @param bwrapPath the bubblewrap binary, or null when none was found
 * @param bwrap bubblewrap runs a command with a read-only root and its own mount namespace
 * @param userNs a new user namespace works
 * @param netNs a new network namespace works
 * @param pidNs a new pid namespace works
 * @param seccomp bubblewrap loads Aegis's seccomp filter
 * @param prlimit {@code /usr/bin/prlimit} (util-linux) sets resource limits
 * @param cgroupV1Memory a cgroup v1 memory group can be made below the gateway's own
 * @param cgroupV1Pids a cgroup v1 pids group can be made below the gateway's own
 * @param cgroupV2 cgroup v2 offers memory and pids to a writable group (reported only, not used yet)
 * @param landlock the kernel has the Landlock LSM enabled (reported only, not used yet)
 * @param root the gateway runs as root (RLIMIT_NPROC does not apply to root)
 */
public record HostSupport(String bwrapPath, boolean bwrap, boolean userNs, boolean netNs, boolean pidNs,
    boolean seccomp, boolean prlimit, boolean cgroupV1Memory, boolean cgroupV1Pids, boolean cgroupV2,
    boolean landlock, boolean root) {

  static final String PRLIMIT = "/usr/bin/prlimit";
  private static volatile HostSupport cached;

  /** The probe of this machine, run once per process. */
  public static HostSupport probe() {
    HostSupport h = cached;
    if (h == null) {
      synchronized (HostSupport.class) {
        h = cached;
        if (h == null) {
          h = run();
          cached = h;
        }
      }
    }
    return h;
  }

  /** A machine with nothing: what a non-Linux system or one without bubblewrap looks like. */
  public static final HostSupport NONE = new HostSupport(null, false, false, false, false, false, false, false,
      false, false, false, false);

  private static HostSupport run() {
    if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
      return NONE;
    }
    String bwrapPath = findBwrap();
    boolean bwrap = bwrapPath != null && ok(List.of(bwrapPath, "--ro-bind", "/", "/", "--proc", "/proc",
        "--dev", "/dev", "--die-with-parent", "--cap-drop", "ALL", "--", "/bin/true"));
    boolean userNs = bwrap && ok(List.of(bwrapPath, "--ro-bind", "/", "/", "--unshare-user", "--", "/bin/true"));
    boolean netNs = bwrap && ok(List.of(bwrapPath, "--ro-bind", "/", "/", "--unshare-net", "--", "/bin/true"));
    boolean pidNs = bwrap && ok(List.of(bwrapPath, "--ro-bind", "/", "/", "--proc", "/proc", "--unshare-pid", "--",
        "/bin/true"));
    boolean seccomp = bwrap && Seccomp.supportedArch() && seccompWorks(bwrapPath);
    boolean prlimit = Files.isExecutable(Path.of(PRLIMIT)) && ok(List.of(PRLIMIT, "--nofile=64:64", "--",
        "/bin/true"));
    boolean landlock;
    try {
      landlock = Files.readString(Path.of("/sys/kernel/security/lsm"), StandardCharsets.US_ASCII).contains("landlock");
    } catch (IOException | RuntimeException e) {
      landlock = false;
    }
    String user = System.getProperty("user.name", "");
    return new HostSupport(bwrapPath, bwrap, userNs, netNs, pidNs, seccomp, prlimit, Cgroups.writableV1("memory"),
        Cgroups.writableV1("pids"), Cgroups.usableV2(), landlock, user.equals("root"));
  }

  private static String findBwrap() {
    List<String> dirs = new ArrayList<>(List.of("/usr/bin", "/usr/local/bin", "/bin"));
    for (String d : dirs) {
      Path p = Path.of(d, "bwrap");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  /** Runs the filter under bubblewrap: {@code true} must still work and {@code unshare} must be refused. */
  private static boolean seccompWorks(String bwrapPath) {
    Path file = null;
    try {
      file = Files.createTempFile("aegis-seccomp-probe", ".bpf",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(file, Seccomp.program());
      List<String> base = new ArrayList<>(List.of("/bin/sh", "-c", "exec \"$@\" 3<" + quote(file.toString()), "sh",
          bwrapPath, "--ro-bind", "/", "/", "--seccomp", "3", "--"));
      List<String> allowed = new ArrayList<>(base);
      allowed.add("/bin/true");
      List<String> refused = new ArrayList<>(base);
      refused.addAll(List.of("/usr/bin/unshare", "--user", "/bin/true"));
      return ok(allowed) && (!Files.isExecutable(Path.of("/usr/bin/unshare")) || !ok(refused));
    } catch (IOException | RuntimeException e) {
      return false;
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // a temp file
        }
      }
    }
  }

  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private static boolean ok(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
