package dev.aegis.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.config.SandboxConfig;
import dev.aegis.config.ServerConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Resource limits and the seccomp filter on real processes: each limit is hit inside the sandbox and reported by the
 * monitor, and the same work succeeds outside it.
 */
class SandboxLimitsTest {
  private final List<String> log = new CopyOnWriteArrayList<>();

  @Test
  void forkBombStopsAtTheProcessLimit() throws Exception {
    Map<String, Object> args = Map.of("count", 300);
    try (McpProcess plain = McpProcess.start(Fixture.exampleServer().command(), Map.of())) {
      plain.initialize();
      assertThat(McpProcess.text(plain.call("fork", args))).isEqualTo("started 300");
    }
    Sandbox sandbox = Fixture.sandbox("bomb", Fixture.profile(List.of(), new SandboxConfig.Limits(1L << 30, 120,
        1024, 0, 0)), Fixture.host(), log);
    Sandbox.Launch launch = sandbox.prepare("bomb", Fixture.exampleServer());
    SandboxMonitor.Exit exit;
    try (McpProcess boxed = McpProcess.start(launch.command(), Map.of())) {
      SandboxMonitor.Watch watch = launch.started(boxed.pid());
      boxed.initialize();
      JsonNode r;
      try {
        r = boxed.call("fork", args);
        // either the tool reports the refused fork, or the JVM itself could not make a thread and ended
        assertThat(McpProcess.failed(r)).as(McpProcess.text(r)).isTrue();
        assertThat(McpProcess.text(r)).contains("fork failed");
      } catch (java.util.concurrent.ExecutionException ended) {
        assertThat(ended.getCause()).hasMessageContaining("server closed its stdout");
      }
      boxed.close();
      exit = watch.exited().get(30, TimeUnit.SECONDS);
    }
    assertThat(exit.limitsHit()).contains("processes");
    assertThat(log).anyMatch(l -> l.contains("sandboxed server 'bomb'") && l.contains("limits hit: processes"));
  }

  @Test
  void memoryLimitKillsTheServerAndIsReported() throws Exception {
    Map<String, Object> args = Map.of("mb", 400);
    try (McpProcess plain = McpProcess.start(Fixture.exampleServer().command(), Map.of())) {
      plain.initialize();
      assertThat(McpProcess.text(plain.call("alloc", args))).isEqualTo("allocated 400 MiB");
    }
    Sandbox sandbox = Fixture.sandbox("hog", Fixture.profile(List.of(), new SandboxConfig.Limits(200L << 20, 0, 1024,
        0, 0)), Fixture.host(), log);
    Sandbox.Launch launch = sandbox.prepare("hog", Fixture.exampleServer());
    try (McpProcess boxed = McpProcess.start(launch.command(), Map.of())) {
      SandboxMonitor.Watch watch = launch.started(boxed.pid());
      boxed.initialize();
      try {
        JsonNode r = boxed.call("alloc", args);
        assertThat(McpProcess.failed(r)).as("allocating past the limit must fail: %s", McpProcess.text(r)).isTrue();
      } catch (java.util.concurrent.ExecutionException killed) {
        assertThat(killed.getCause()).hasMessageContaining("server closed its stdout");
      }
      boxed.close();
      SandboxMonitor.Exit exit = watch.exited().get(30, TimeUnit.SECONDS);
      assertThat(exit.limitsHit()).contains("memory");
      assertThat(exit.maxRssBytes()).isLessThanOrEqualTo(200L << 20);
    }
  }

  @Test
  void cpuLimitEndsABusyLoopWithSigxcpu() throws Exception {
    ServerConfig.Stdio busy = new ServerConfig.Stdio(List.of("/bin/sh", "-c", "while :; do :; done"), Map.of(), null);
    Sandbox sandbox = Fixture.sandbox("spin", Fixture.profile(List.of(), new SandboxConfig.Limits(0, 0, 0, 1, 0)),
        Fixture.host(), log);
    Sandbox.Launch launch = sandbox.prepare("spin", busy);
    Process p = new ProcessBuilder(launch.command()).start();
    SandboxMonitor.Exit exit = launch.started(p.pid()).exited().get(60, TimeUnit.SECONDS);
    assertThat(exit.exitCode()).isEqualTo(128 + 24);
    assertThat(exit.killedByLimit()).isTrue();
    assertThat(exit.limitsHit()).contains("cpu");
    assertThat(exit.describe()).contains("killed by limit");
  }

  @Test
  void seccompRefusesNewNamespacesThatTheSandboxAloneWouldAllow() throws Exception {
    ServerConfig.Stdio unshare = new ServerConfig.Stdio(List.of("/usr/bin/unshare", "--user", "/bin/true"), Map.of(),
        null);
    HostSupport host = Fixture.host();
    assertThat(host.seccomp()).isTrue();
    HostSupport withoutSeccomp = new HostSupport(host.bwrapPath(), true, host.userNs(), host.netNs(), host.pidNs(),
        false, host.prlimit(), host.cgroupV1Memory(), host.cgroupV1Pids(), host.cgroupV2(), host.landlock(),
        host.root());
    SandboxConfig.Profile profile = Fixture.profile(List.of(), new SandboxConfig.Limits(0, 0, 0, 0, 0));
    SandboxConfig cfg = new SandboxConfig(Map.of("test", profile), null, true, Map.of("ns", "test"));
    assertThat(exitOf(new Sandbox(cfg, withoutSeccomp, Map.of(), log::add, log::add).prepare("ns", unshare)))
        .as("without the filter the sandbox lets unshare run").isZero();
    assertThat(exitOf(new Sandbox(cfg, host, Map.of(), log::add, log::add).prepare("ns", unshare))).isNotZero();
  }

  @Test
  void systemAndHomeAreNotWritableOutsideTmp() throws Exception {
    String home = System.getProperty("user.home");
    ServerConfig.Stdio writer = new ServerConfig.Stdio(List.of("/bin/sh", "-c", "touch /usr/aegis-x 2>/dev/null && "
        + "exit 10; touch /etc/aegis-x 2>/dev/null && exit 11; touch /tmp/ok && test -z \"$(ls -A " + home
        + " 2>/dev/null)\" || exit 12; exit 0"), Map.of(), null);
    Sandbox sandbox = Fixture.sandbox("w", Fixture.profile(List.of(), new SandboxConfig.Limits(0, 0, 0, 0, 0)),
        Fixture.host(), log);
    assertThat(exitOf(sandbox.prepare("w", writer))).isZero();
  }

  private static int exitOf(Sandbox.Launch launch) throws Exception {
    Process p = new ProcessBuilder(launch.command()).redirectErrorStream(true).start();
    p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }
}
