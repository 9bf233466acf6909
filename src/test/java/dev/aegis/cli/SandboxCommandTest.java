package dev.aegis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.sandbox.HostSupport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code aegis sandbox check} through picocli, on this machine and on a described one. */
class SandboxCommandTest {
  static final String CONFIG = """
      servers:
        fs: {command: node, args: [x.js], sandbox: filesystem}
        loose: {command: node, sandbox: false}
        web: {url: "https://example.com/mcp"}
      sandbox:
        profiles:
          notes: {read: [/srv/notes], env: [NOTES_TOKEN], limits: {memory: 0, processes: 0, cpu: 60s}}
      """;

  @TempDir
  Path tmp;

  record Run(int code, String out) {}

  Run run(HostSupport host, String config) throws Exception {
    Path file = Files.writeString(tmp.resolve("aegis.yaml"), config);
    SandboxCommand.Check check = new SandboxCommand.Check();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    check.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    check.err = check.out;
    check.host = host;
    int code = new CommandLine(new SandboxCommand()).addSubcommand("check", check).execute("check", "--config",
        file.toString());
    return new Run(code, out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void thisMachineEnforcesEveryBuiltInProfile() throws Exception {
    Run r = run(null, CONFIG);
    assertThat(r.out()).contains("bubblewrap         yes /usr/bin/bwrap (ran a sandbox)")
        .contains("seccomp            yes filter loaded and refused unshare")
        .contains("strict: fully enforced").contains("filesystem: fully enforced").contains("fetch: fully enforced")
        .contains("notes: fully enforced").contains("/srv/notes (read)").contains("and NOTES_TOKEN")
        .contains("limits: open files 1024, cpu 60s").contains("fs: filesystem, fully enforced")
        .contains("loose: unsandboxed (sandbox: false)").doesNotContain("web:");
    assertThat(r.code()).isZero();
  }

  static final String NO_SANDBOX_SECTION = """
      servers:
        app: {command: node, args: [x.js]}
        npx: {command: npx, args: [-y, "@modelcontextprotocol/server-filesystem", /srv]}
        loose: {command: node, sandbox: false}
      """;

  @Test
  void withoutASandboxSectionEachServerShowsTheDefaultItGetsAndWhy() throws Exception {
    Run r = run(null, NO_SANDBOX_SECTION);
    assertThat(r.out()).contains("servers (sandbox.default: auto, degrade: false):")
        .contains("  app: strict (default), fully enforced")
        .contains("  npx: UNSANDBOXED (default: started by npx, which downloads "
            + "@modelcontextprotocol/server-filesystem at every start")
        .contains("  loose: unsandboxed (sandbox: false)");
    assertThat(r.code()).isZero();
  }

  @Test
  void withoutBubblewrapTheDefaultStartsUnsandboxedAndSaysSo() throws Exception {
    Run r = run(HostSupport.NONE, NO_SANDBOX_SECTION);
    assertThat(r.out()).contains("  app: strict (default), starts UNSANDBOXED with a warning: this machine cannot "
        + "sandbox (missing: bubblewrap (bwrap) is not installed");
    assertThat(r.code()).as("nothing is refused").isZero();
  }

  @Test
  void aMachineWithoutBubblewrapRefusesSandboxedServers() throws Exception {
    Run r = run(HostSupport.NONE, CONFIG);
    assertThat(r.out()).contains("bubblewrap         no  not installed (apt-get install bubblewrap)")
        .contains("strict: NOT fully enforced")
        .contains("- not enforced: bubblewrap (bwrap) is not installed")
        .contains("fs: filesystem, REFUSED at start (missing: bubblewrap (bwrap) is not installed");
    assertThat(r.code()).isEqualTo(1);
  }

  @Test
  void degradeTurnsARefusalIntoAWarning() throws Exception {
    HostSupport noCgroups = new HostSupport("/usr/bin/bwrap", true, true, true, true, true, true, false, false, false,
        false, true);
    Run r = run(noCgroups, CONFIG + "  degrade: true\n");
    assertThat(r.out()).contains("cgroup v1 memory   no")
        .contains("- not enforced: memory limit (no writable cgroup v1 memory hierarchy)")
        .contains("- not enforced: process limit (no writable cgroup v1 pids hierarchy; RLIMIT_NPROC does not bind"
            + " root)")
        .contains("notes: fully enforced")
        .contains("fs: filesystem, DEGRADED (starts with a warning; missing: memory limit");
    assertThat(r.code()).isZero();
  }

  @Test
  void aBrokenConfigIsReportedWithItsPlace() throws Exception {
    Run r = run(null, "servers:\n  a: {command: x, sandbox: nosuch}\n");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).contains("aegis.yaml:2:").contains("names the sandbox profile 'nosuch'");
  }
}
