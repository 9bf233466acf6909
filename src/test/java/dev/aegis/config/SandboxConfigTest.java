package dev.aegis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code sandbox:} section and each server's {@code sandbox:} choice. */
class SandboxConfigTest {
  private static GatewayConfig load(String yaml) throws ConfigException {
    return ConfigLoader.parse("/cfg/aegis.yaml", yaml.getBytes(StandardCharsets.UTF_8)).config();
  }

  private static List<String> errors(String yaml) {
    try {
      load(yaml);
    } catch (ConfigException e) {
      return e.errors();
    }
    throw new AssertionError("expected errors");
  }

  @Test
  void withoutTheSectionEveryStdioServerGetsTheAutomaticDefault() throws ConfigException {
    GatewayConfig c = load("servers:\n  a: {command: node}\n");
    assertThat(c.sandbox()).isEqualTo(SandboxConfig.DEFAULT);
    assertThat(c.sandbox().defaultProfile()).isEqualTo(SandboxConfig.AUTO);
    assertThat(c.sandbox().choiceOf("a")).isEqualTo(SandboxConfig.AUTO);
    assertThat(c.sandbox().named("a")).isFalse();
    assertThat(c.sandbox().degrade()).isFalse();
  }

  @Test
  void aSectionWithoutDefaultKeepsTheAutomaticDefault() throws ConfigException {
    SandboxConfig s = load("servers:\n  a: {command: node}\nsandbox: {degrade: true}\n").sandbox();
    assertThat(s.choiceOf("a")).isEqualTo(SandboxConfig.AUTO);
    assertThat(s.degrade()).isTrue();
  }

  @Test
  void defaultAutoCanBeSpelledOutAndOffOrFalseOptOut() throws ConfigException {
    assertThat(load("servers: {a: {command: x}}\nsandbox: {default: auto}\n").sandbox())
        .isEqualTo(SandboxConfig.DEFAULT);
    assertThat(load("servers: {a: {command: x}}\nsandbox: {default: off}\n").sandbox())
        .isEqualTo(SandboxConfig.OFF_EVERYWHERE);
    SandboxConfig s = load("servers: {a: {command: x}}\nsandbox: {default: false}\n").sandbox();
    assertThat(s.choiceOf("a")).isEqualTo(SandboxConfig.OFF);
    assertThat(s.named("a")).isFalse();
  }

  @Test
  void aServerOptsOutWithFalseOrOffAndBackInWithAuto() throws ConfigException {
    SandboxConfig s = load("""
        servers:
          a: {command: x, sandbox: false}
          b: {command: x, sandbox: off}
          c: {command: x, sandbox: auto}
        sandbox: {default: strict}
        """).sandbox();
    assertThat(s.choiceOf("a")).isEqualTo(SandboxConfig.OFF);
    assertThat(s.choiceOf("b")).isEqualTo(SandboxConfig.OFF);
    assertThat(s.choiceOf("c")).isEqualTo(SandboxConfig.AUTO);
    assertThat(s.choiceOf("d")).isEqualTo("strict");
    assertThat(s.named("d")).isTrue();
  }

  @Test
  void autoAndOffAreNotProfileNames() {
    assertThat(errors("servers: {a: {command: x}}\nsandbox: {profiles: {auto: {}, off: {}}}\n"))
        .anyMatch(e -> e.contains("'auto' is a sandbox choice, not a profile name"))
        .anyMatch(e -> e.contains("'off' is a sandbox choice, not a profile name"));
  }

  @Test
  void aServerNamingAProfileIsSandboxedEvenWithoutTheSection() throws ConfigException {
    GatewayConfig c = load("servers:\n  a: {command: node, sandbox: strict}\n  b: {command: node}\n");
    assertThat(c.sandbox().choiceOf("a")).isEqualTo("strict");
    assertThat(c.sandbox().named("a")).isTrue();
    assertThat(c.sandbox().choiceOf("b")).isEqualTo(SandboxConfig.AUTO);
    assertThat(c.sandbox().degrade()).isFalse();
  }

  @Test
  void defaultAppliesToServersThatNameNoneAndFalseOptsOut() throws ConfigException {
    GatewayConfig c = load("""
        servers:
          a: {command: node}
          b: {command: node, sandbox: false}
          c: {command: node, sandbox: notes}
        sandbox:
          default: fetch
          degrade: true
          profiles:
            notes:
              network: true
              read: [docs, ~/notes]
              write: [/data/out]
              env: [NOTES_TOKEN]
              serverArgs: read
              limits: {memory: 512m, processes: 64, openFiles: 256, cpu: 10m, addressSpace: 8g}
        """);
    SandboxConfig s = c.sandbox();
    assertThat(s.choiceOf("a")).isEqualTo("fetch");
    assertThat(s.choiceOf("b")).isEqualTo(SandboxConfig.OFF);
    assertThat(s.choiceOf("c")).isEqualTo("notes");
    assertThat(s.degrade()).isTrue();
    SandboxConfig.Profile notes = s.profiles().get("notes");
    assertThat(notes.network()).isTrue();
    assertThat(notes.read()).containsExactly("/cfg/docs", System.getProperty("user.home") + "/notes");
    assertThat(notes.write()).containsExactly("/data/out");
    assertThat(notes.env()).containsExactly("NOTES_TOKEN");
    assertThat(notes.serverArgs()).isEqualTo("read");
    assertThat(notes.limits()).isEqualTo(new SandboxConfig.Limits(512L << 20, 64, 256, 600, 8L << 30));
  }

  @Test
  void aProfileWithoutLimitsGetsTheDefaultOnes() throws ConfigException {
    SandboxConfig s = load("servers: {a: {command: x, sandbox: p}}\nsandbox: {profiles: {p: {}}}\n").sandbox();
    assertThat(s.profiles().get("p")).isEqualTo(new SandboxConfig.Profile(false, List.of(), List.of(), List.of(),
        "none", SandboxConfig.Limits.DEFAULT));
  }

  @Test
  void everyMistakeIsReportedWithItsPlace() {
    List<String> errors = errors("""
        servers:
          a: {command: node, sandbox: nosuch}
          b: {url: "http://127.0.0.1:1/mcp", sandbox: strict}
          c: {command: node, sandbox: 7}
        sandbox:
          default: nothere
          degrade: maybe
          profiles:
            strict: {}
            bad:
              network: yes-please
              read: /etc
              write: ["/"]
              env: [1BAD, "A-B"]
              serverArgs: all
              limits: {memory: lots, processes: -1, cpu: forever}
        """);
    assertThat(errors).containsExactlyInAnyOrder(
        "/cfg/aegis.yaml:2:22: server 'a' names the sandbox profile 'nosuch', which is neither built in nor under"
            + " sandbox.profiles (bad, fetch, filesystem, strict)",
        "/cfg/aegis.yaml:3:38: server 'b' is not a local process ('command'), so it cannot run sandboxed",
        "/cfg/aegis.yaml:4:22: 'sandbox' must be a profile name (strict, filesystem, fetch or one under"
            + " sandbox.profiles), auto or false, was 7",
        "/cfg/aegis.yaml:6:3: 'default' must be auto (the default), off or a profile name (bad, fetch, filesystem,"
            + " strict), was"
            + " \"nothere\"",
        "/cfg/aegis.yaml:7:3: 'degrade' must be true or false",
        "/cfg/aegis.yaml:9:5: profile 'strict' is built in; give your profile another name",
        "/cfg/aegis.yaml:11:7: 'network' must be true or false",
        "/cfg/aegis.yaml:12:7: must be a list of strings",
        "/cfg/aegis.yaml:13:15: granting the whole file system ('/') defeats the sandbox; name the folders instead",
        "/cfg/aegis.yaml:14:13: an environment variable name is letters, digits and '_', not starting with a digit",
        "/cfg/aegis.yaml:14:19: an environment variable name is letters, digits and '_', not starting with a digit",
        "/cfg/aegis.yaml:15:7: 'serverArgs' must be one of [none, read, write]",
        "/cfg/aegis.yaml:16:16: 'memory' must be a size like 512m or 2g (0 for no limit), was \"lots\"",
        "/cfg/aegis.yaml:16:30: 'processes' must be a whole number from 0 to 1000000, was -1",
        "/cfg/aegis.yaml:16:45: 'cpu' must be CPU time like 600s or 10m (0 for no limit), was \"forever\"");
  }

  @Test
  void sizesParse() {
    assertThat(ConfigLoader.parseSize("512m")).isEqualTo(512L << 20);
    assertThat(ConfigLoader.parseSize("2G")).isEqualTo(2L << 30);
    assertThat(ConfigLoader.parseSize("64kb")).isEqualTo(64L << 10);
    assertThat(ConfigLoader.parseSize("0")).isZero();
    assertThat(ConfigLoader.parseSize("-1")).isEqualTo(-1);
    assertThat(ConfigLoader.parseSize("9999999999999g")).isEqualTo(-1);
    assertThat(ConfigLoader.parseSize("m")).isEqualTo(-1);
  }

  @Test
  void builtInNamesCannotBeRedefinedInCode() {
    assertThatThrownBy(() -> new SandboxConfig(java.util.Map.of("strict", new SandboxConfig.Profile(true, List.of(),
        List.of(), List.of(), "none", SandboxConfig.Limits.DEFAULT)), null, false, java.util.Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("built in");
  }
}
