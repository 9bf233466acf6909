package dev.aegis.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.config.SandboxConfig;
import dev.aegis.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Which servers are wrapped, refusal and degrading, and what the wrapped command grants. */
class SandboxTest {
  private final List<String> info = new CopyOnWriteArrayList<>();
  private final List<String> warn = new CopyOnWriteArrayList<>();
  private static final ServerConfig.Stdio SH = new ServerConfig.Stdio(List.of("/bin/sh", "-c", "true"),
      Map.of("OWN", "1"), null);

  private Sandbox sandbox(SandboxConfig cfg, HostSupport host) {
    return new Sandbox(cfg, host, Map.of("PATH", "/usr/bin:/bin", "GRANTED", "g", "SECRET", "s", "LANG",
        "en_US.UTF-8"), info::add, warn::add);
  }

  @Test
  void withoutBubblewrapTheAutomaticDefaultStartsServersExactlyAsBefore() throws IOException {
    Sandbox.Launch l = sandbox(SandboxConfig.DEFAULT, HostSupport.NONE).prepare("a", SH);
    assertThat(l.sandboxed()).isFalse();
    assertThat(l.command()).isEqualTo(SH.command());
    assertThat(l.env()).isEqualTo(SH.env());
    assertThat(l.started(1)).isNull();
  }

  @Test
  void aProfileThatCannotBeEnforcedIsRefused() {
    SandboxConfig cfg = new SandboxConfig(Map.of(), null, false, Map.of("a", "strict"));
    assertThatThrownBy(() -> sandbox(cfg, HostSupport.NONE).prepare("a", SH)).isInstanceOf(IOException.class)
        .hasMessageContaining("server 'a': sandbox profile 'strict' cannot be fully enforced")
        .hasMessageContaining("bubblewrap (bwrap) is not installed").hasMessageContaining("sandbox.degrade: true");
  }

  @Test
  void degradeStartsItWithOneLoudWarningPerServer() throws IOException {
    SandboxConfig cfg = new SandboxConfig(Map.of(), "strict", true, Map.of());
    Sandbox s = sandbox(cfg, HostSupport.NONE);
    assertThat(s.prepare("a", SH).command()).isEqualTo(SH.command());
    s.prepare("a", SH);
    s.prepare("b", SH);
    assertThat(warn).hasSize(2).allMatch(w -> w.startsWith("SANDBOX DEGRADED: server '"));
  }

  @Test
  void theWrappedCommandClearsTheEnvironmentAndGrantsOnlyWhatTheProfileSays() throws IOException {
    HostSupport host = Fixture.host();
    SandboxConfig.Profile p = new SandboxConfig.Profile(false, List.of("/srv/r"), List.of("/srv/w"),
        List.of("GRANTED"), "read", new SandboxConfig.Limits(0, 0, 64, 5, 0));
    SandboxConfig cfg = new SandboxConfig(Map.of("p", p), null, false, Map.of("a", "p"));
    ServerConfig.Stdio s = new ServerConfig.Stdio(List.of("/bin/sh", "/etc/os-release", "/usr/share", "--x"),
        Map.of("OWN", "1"), null);
    List<String> c = sandbox(cfg, host).preview("a", s);
    String joined = String.join(" ", c);
    assertThat(c.subList(0, 2)).containsExactly("/bin/sh", "-c");
    assertThat(joined).contains(" --unshare-user-try --unshare-ipc --unshare-uts --unshare-cgroup-try --unshare-pid"
        + " --unshare-net ")
        .contains("--cap-drop ALL").contains("--die-with-parent").contains("--new-session")
        .contains("--clearenv --setenv PATH").contains("--setenv HOME /home/aegis")
        .contains("--setenv LANG en_US.UTF-8").contains("--setenv GRANTED g").contains("--setenv OWN 1")
        .doesNotContain("SECRET").contains("--ro-bind-try /srv/r /srv/r").contains("--bind-try /srv/w /srv/w")
        .contains("--ro-bind /usr/share /usr/share").contains("--ro-bind /dev/null /etc/shadow")
        .contains("--tmpfs /tmp").contains("--seccomp 3").contains("--json-status-fd 4")
        .contains("-- /usr/bin/prlimit --nofile=64:64 --cpu=5:7 -- /bin/sh /etc/os-release /usr/share --x");
    assertThat(Path.of("/etc/shadow")).exists();
  }

  @Test
  void networkIsKeptOnlyWhenGranted() throws IOException {
    HostSupport host = Fixture.host();
    SandboxConfig cfg = new SandboxConfig(Map.of(), null, false, Map.of("f", "fetch", "s", "strict"));
    assertThat(sandbox(cfg, host).preview("f", SH)).doesNotContain("--unshare-net").contains("--unshare-pid");
    assertThat(sandbox(cfg, host).preview("s", SH)).contains("--unshare-net");
  }
}
