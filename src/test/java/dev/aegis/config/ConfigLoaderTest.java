package dev.aegis.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {

  private static ConfigLoader.Loaded parse(String text) throws ConfigException {
    return ConfigLoader.parse("aegis.yaml", text.getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> errors(String text) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(text));
    assertThat(e).as("configuration should be refused").isNotNull();
    return e.errors();
  }

  private static ServerConfig server(GatewayConfig config, String name) {
    return config.servers().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void aegisYamlWithStdioAndHttpServersAndGatewaySettings() throws Exception {
    ConfigLoader.Loaded loaded = parse("""
        servers:
          everything:
            command: npx
            args: ["-y", "@modelcontextprotocol/server-everything", 8080, true]
            env: {DEBUG: "1", PORT: 9000}
            cwd: /srv/mcp
          remote:
            url: https://mcp.example.com/mcp
            headers: { Authorization: "Bearer abc" }
            prefix: rem
          legacy:
            url: http://127.0.0.1:3001/sse
            type: sse
            prefix: false
        gateway:
          maxMessageBytes: 1048576
          requestTimeout: 90s
          startupTimeout: 500ms
          maxRestartBackoff: 2m
          allowedOrigins: ["https://app.example.com"]
          pageSize: 50
        """);
    GatewayConfig c = loaded.config();

    assertThat(loaded.warnings()).isEmpty();
    assertThat(c.servers()).extracting(ServerConfig::name).containsExactly("everything", "remote", "legacy");
    ServerConfig everything = server(c, "everything");
    assertThat(everything.prefix()).isEqualTo("everything");
    assertThat(everything.transport()).isEqualTo(new ServerConfig.Stdio(
        List.of("npx", "-y", "@modelcontextprotocol/server-everything", "8080", "true"),
        Map.of("DEBUG", "1", "PORT", "9000"), "/srv/mcp"));
    ServerConfig remote = server(c, "remote");
    assertThat(remote.prefix()).isEqualTo("rem");
    assertThat(remote.transport()).isEqualTo(new ServerConfig.Http(URI.create("https://mcp.example.com/mcp"),
        Map.of("Authorization", "Bearer abc"), false));
    ServerConfig legacy = server(c, "legacy");
    assertThat(legacy.prefix()).isEmpty();
    assertThat(((ServerConfig.Http) legacy.transport()).legacySse()).isTrue();
    assertThat(c.maxMessageBytes()).isEqualTo(1048576);
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.startupTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.maxRestartBackoff()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.allowedOrigins()).containsExactly("https://app.example.com");
    assertThat(c.pageSize()).isEqualTo(50);
  }

  @Test
  void claudeDesktopMcpServersJson() throws Exception {
    ConfigLoader.Loaded loaded = ConfigLoader.parse("claude_desktop_config.json", """
        {
          "mcpServers": {
            "filesystem": {
              "command": "npx",
              "args": ["-y", "@modelcontextprotocol/server-filesystem", "/Users/me/Desktop"],
              "env": {"NODE_ENV": "production"}
            },
            "github": {
              "command": "docker",
              "args": ["run", "-i", "--rm", "ghcr.io/github/github-mcp-server"]
            }
          },
          "globalShortcut": "Ctrl+Space"
        }
        """.getBytes(StandardCharsets.UTF_8));

    assertThat(loaded.config().servers()).extracting(ServerConfig::name).containsExactly("filesystem", "github");
    assertThat(((ServerConfig.Stdio) server(loaded.config(), "filesystem").transport()).command())
        .containsExactly("npx", "-y", "@modelcontextprotocol/server-filesystem", "/Users/me/Desktop");
    assertThat(loaded.warnings())
        .containsExactly("claude_desktop_config.json:13:3: warning: unknown key 'globalShortcut' ignored");
  }

  @Test
  void claudeDesktopJsonIndentedWithTabsLoads() throws Exception {
    String json = "{\n\t\"mcpServers\": {\n\t\t\"fs\": {\n\t\t\t\"command\": \"npx\",\n\t\t\t\"args\": [\"a\"]\n\t\t}\n\t}\n}\n";

    ConfigLoader.Loaded loaded = ConfigLoader.parse("claude.json", json.getBytes(StandardCharsets.UTF_8));

    assertThat(loaded.config().servers()).extracting(ServerConfig::name).containsExactly("fs");
  }

  @Test
  void vsCodeServersJsonWithType() throws Exception {
    ConfigLoader.Loaded loaded = ConfigLoader.parse(".vscode/mcp.json", """
        {
          "inputs": [{"type": "promptString", "id": "token", "description": "API token", "password": true}],
          "servers": {
            "memory": {"type": "stdio", "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"]},
            "github": {"type": "http", "url": "https://api.githubcopilot.com/mcp/"},
            "streamy": {"type": "streamable-http", "url": "https://example.com/mcp"},
            "old": {"type": "sse", "url": "https://example.com/sse"}
          }
        }
        """.getBytes(StandardCharsets.UTF_8));

    assertThat(loaded.warnings()).isEmpty();
    GatewayConfig c = loaded.config();
    assertThat(c.servers()).extracting(ServerConfig::name).containsExactly("memory", "github", "streamy", "old");
    assertThat(server(c, "memory").transport()).isInstanceOf(ServerConfig.Stdio.class);
    assertThat(((ServerConfig.Http) server(c, "github").transport()).legacySse()).isFalse();
    assertThat(((ServerConfig.Http) server(c, "streamy").transport()).legacySse()).isFalse();
    assertThat(((ServerConfig.Http) server(c, "old").transport()).legacySse()).isTrue();
  }

  @Test
  void omittedSettingsTakeTheirDefaults() throws Exception {
    GatewayConfig c = parse("servers:\n  fs:\n    command: npx\n").config();

    assertThat(c).isEqualTo(GatewayConfig.of(c.servers()));
    assertThat(c.maxMessageBytes()).isEqualTo(GatewayConfig.DEFAULT_MAX_MESSAGE_BYTES);
    assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(120));
    assertThat(c.startupTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.maxRestartBackoff()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.allowedOrigins()).isEmpty();
    assertThat(c.pageSize()).isZero();
    ServerConfig fs = c.servers().get(0);
    assertThat(fs.prefix()).isEqualTo("fs");
    assertThat(fs.transport()).isEqualTo(new ServerConfig.Stdio(List.of("npx"), Map.of(), null));
  }

  @Test
  void unknownKeysAreWarningsWithTheirPosition() throws Exception {
    ConfigLoader.Loaded loaded = parse("""
        servers:
          fs:
            command: npx
            autoApprove: [read_file]
        gateway:
          colour: blue
        telemetry: off
        """);

    assertThat(loaded.config().servers()).hasSize(1);
    assertThat(loaded.warnings()).containsExactly(
        "aegis.yaml:7:1: warning: unknown key 'telemetry' ignored",
        "aegis.yaml:4:5: warning: unknown key 'autoApprove' of server 'fs' ignored",
        "aegis.yaml:6:3: warning: unknown gateway setting 'colour' ignored");
  }

  @Test
  void disabledServersAreSkippedWithAWarning() throws Exception {
    ConfigLoader.Loaded loaded = parse("""
        servers:
          off:
            command: npx
            disabled: true
          broken-but-off:
            disabled: true
          on:
            command: node
            disabled: false
        """);

    assertThat(loaded.config().servers()).extracting(ServerConfig::name).containsExactly("on");
    assertThat(loaded.warnings()).containsExactly(
        "aegis.yaml:2:3: warning: server 'off' is disabled and will not be started",
        "aegis.yaml:5:3: warning: server 'broken-but-off' is disabled and will not be started");
  }

  @Test
  void prefixIsDerivedByDefaultOffWhenFalseDerivedWhenTrueAndKeptWhenCustom() throws Exception {
    GatewayConfig c = parse("""
        servers:
          My Files (local):
            command: a
          off:
            command: b
            prefix: false
          on:
            command: c
            prefix: true
          custom:
            command: d
            prefix: Cu-2
        """).config();

    assertThat(c.servers()).extracting(ServerConfig::prefix).containsExactly("My-Files-local", "", "on", "Cu-2");
  }

  @Test
  void twoServersWithoutPrefixDoNotClash() throws Exception {
    GatewayConfig c = parse("""
        servers:
          a: {command: x, prefix: false}
          b: {command: y, prefix: false}
        """).config();

    assertThat(c.servers()).extracting(ServerConfig::prefix).containsExactly("", "");
  }

  @Test
  void duplicatePrefixesAreCaseInsensitive() {
    assertThat(errors("""
        servers:
          one: {command: x, prefix: Tools}
          two: {command: y, prefix: tools}
        """)).containsExactly("aegis.yaml:3:3: server 'two' has the namespace prefix 'tools' that server 'one'"
        + " already uses; give one of them another 'prefix'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-abc", "abc-", "a_b", "a__b", "", "0123456789012345678901234567890123", "5"})
  void prefixOutsideTheAllowedShapeIsAnError(String prefix) {
    String yaml = "servers:\n  s:\n    command: x\n    prefix: " + (prefix.equals("5") ? "5" : "\"" + prefix + "\"")
        + "\n";

    assertThat(errors(yaml)).singleElement().asString().startsWith("aegis.yaml:4:5: 'prefix' must be false, true,");
  }

  @Test
  void sanitizedPrefixKeepsLettersDigitsAndSingleInnerHyphensUpTo32() {
    assertThat(ConfigLoader.sanitizePrefix("  my__weird..server!!")).isEqualTo("my-weird-server");
    assertThat(ConfigLoader.sanitizePrefix("ünïcode")).isEqualTo("n-code");
    assertThat(ConfigLoader.sanitizePrefix("x".repeat(40))).hasSize(32);
    assertThat(ConfigLoader.sanitizePrefix("a".repeat(31) + "-bcd")).isEqualTo("a".repeat(31));
    assertThat(ConfigLoader.sanitizePrefix("!!!")).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"250ms,PT0.25S", "30s,PT30S", "2m,PT2M", "1h,PT1H", "1500,PT1.5S", "' 10 S ',PT10S", "5MS,PT0.005S"})
  void durationsAcceptMillisecondsSecondsMinutesHoursAndBareMillis(String text, String iso) {
    assertThat(ConfigLoader.parseDuration(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "soon", "1.5s", "10d", "s", "ms", "1 2s", "0x10s"})
  void malformedDurationsAreNull(String text) {
    assertThat(ConfigLoader.parseDuration(text)).isNull();
  }

  @Test
  void bareNumberDurationIsMilliseconds() throws Exception {
    assertThat(parse("servers: {a: {command: x}}\ngateway: {requestTimeout: 2500}\n").config().requestTimeout())
        .isEqualTo(Duration.ofMillis(2500));
  }

  @ParameterizedTest
  @ValueSource(strings = {"999999999999999999m", "9999999999999999h", "99999999999999999999s"})
  void durationTooLargeForJavaIsAConfigErrorNotACrash(String text) {
    assertThat(errors("servers: {a: {command: x}}\ngateway:\n  requestTimeout: " + text + "\n"))
        .containsExactly("aegis.yaml:3:3: 'requestTimeout' must be a positive duration like 500ms, 30s or 2m, was \""
            + text + "\"");
  }

  @Test
  void commandThatIsNotAStringIsReportedOnce() {
    assertThat(errors("servers:\n  s:\n    command: 5\n"))
        .containsExactly("aegis.yaml:3:5: 'command' must be a string");
  }

  @Test
  void prefixTrueOnANameWithoutLettersIsAnErrorLikeTheDefault() {
    assertThat(errors("servers:\n  \"!!!\":\n    command: x\n    prefix: true\n")).containsExactly(
        "aegis.yaml:4:5: server name '!!!' has no letters or digits to make a prefix from; set 'prefix'");
  }

  @Test
  void everyErrorInOneFileIsReportedNotJustTheFirst() {
    List<String> errors = errors("""
        servers:
          a: {url: "ftp://x"}
          b: {command: x, args: "no"}
          c: {}
        gateway:
          pageSize: -1
        """);

    assertThat(errors).hasSize(4).allSatisfy(e -> assertThat(e).matches("aegis\\.yaml:\\d+:\\d+: .+"));
  }

  @Test
  void invalidYamlNamesFileLineAndColumn() {
    List<String> errors = errors("servers:\n  fs:\n    command: \"unterminated\n");

    assertThat(errors).singleElement().asString().matches("(?s)aegis\\.yaml:\\d+:\\d+: not valid YAML or JSON: .*");
  }

  @Test
  void emptyFileIsRefused() {
    assertThat(errors("")).containsExactly(
        "aegis.yaml: the configuration must be a mapping with a 'servers' (or 'mcpServers') section");
  }

  @Test
  void loadReadsAFileAndNamesItInMessages(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("aegis.yaml");
    Files.writeString(file, "servers:\n  fs:\n    command: npx\n    colour: red\n");

    ConfigLoader.Loaded loaded = ConfigLoader.load(file);

    assertThat(loaded.config().servers()).hasSize(1);
    assertThat(loaded.warnings()).containsExactly(file + ":4:5: warning: unknown key 'colour' of server 'fs' ignored");
  }

  @Test
  void loadOfAMissingFileIsAConfigException(@TempDir Path dir) {
    Path missing = dir.resolve("nope.yaml");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(missing));

    assertThat(e.errors()).singleElement().asString().startsWith(missing + ": cannot read: ");
  }

  @Test
  void pinSettingsAreReadWithPathsRelativeToTheFile() throws Exception {
    GatewayConfig c = ConfigLoader.parse("/etc/aegis/aegis.yaml", """
        servers:
          gh: {command: gh-mcp}
        pin:
          mode: Strict
          lockfile: locks/aegis.lock
          require: {gh: "^1.2"}
          trust: {gh: [keys/gh.pub, MCowBQYDK2VwAyEAaaaa]}
          signatures: {gh: gh.jws}
          unsigned: hold
          badSignature: hold
        """.getBytes(StandardCharsets.UTF_8)).config();

    PinConfig pin = c.pin();
    assertThat(pin.mode()).isEqualTo("strict");
    assertThat(pin.lockfile()).isEqualTo(java.nio.file.Path.of("/etc/aegis/locks/aegis.lock"));
    assertThat(pin.require()).containsEntry("gh", "^1.2");
    assertThat(pin.trust().get("gh")).containsExactly("/etc/aegis/keys/gh.pub", "MCowBQYDK2VwAyEAaaaa");
    assertThat(pin.signatures().get("gh")).isEqualTo(java.nio.file.Path.of("/etc/aegis/gh.jws"));
    assertThat(pin.unsigned()).isEqualTo("hold");
    assertThat(pin.badSignature()).isEqualTo("hold");
  }

  @Test
  void withoutAPinSectionPinningIsTrustOnFirstUse() throws Exception {
    assertThat(parse("servers:\n  a: {command: x}\n").config().pin()).isEqualTo(PinConfig.DEFAULT);
    assertThat(PinConfig.DEFAULT.mode()).isEqualTo("tofu");
  }

  @Test
  void badPinSettingsAreErrorsWithTheirPlace() {
    List<String> errors = errors("""
        servers:
          a: {command: x}
        pin:
          mode: sometimes
          require: {a: 3}
          trust: [x]
          badSignature: allow
        """);

    assertThat(errors).contains("aegis.yaml:4:3: 'mode' must be one of [hold, off, strict, tofu]",
        "aegis.yaml:5:13: a version requirement is a string like \"^1.2\" or \">=2.0 <3\"",
        "aegis.yaml:6:3: 'trust' must be a mapping of server name to its setting",
        "aegis.yaml:7:3: 'badSignature' must be one of [hold, refuse]");
  }

  @Test
  void memorySettingsAndABuiltinMemoryServer() throws Exception {
    GatewayConfig c = ConfigLoader.parse("/etc/aegis/aegis.yaml", """
        servers:
          mem: {builtin: memory, prefix: false}
        memory:
          store: data/memory.db
          keys: memory-keys
          defaultScope: team
          untrusted: [web-agent]
          quarantine: false
          checkpointEvery: 50
          scopes:
            team: {read: ["*"], write: ["group:agents"], admin: [alice]}
        """.getBytes(StandardCharsets.UTF_8)).config();

    assertThat(server(c, "mem").transport()).isEqualTo(new ServerConfig.Builtin("memory"));
    MemoryConfig m = c.memory();
    assertThat(m.store()).isEqualTo(java.nio.file.Path.of("/etc/aegis/data/memory.db"));
    assertThat(m.keys()).isEqualTo(java.nio.file.Path.of("/etc/aegis/memory-keys"));
    assertThat(m.defaultScope()).isEqualTo("team");
    assertThat(m.untrusted()).containsExactly("web-agent");
    assertThat(m.quarantine()).isFalse();
    assertThat(m.checkpointEvery()).isEqualTo(50);
    assertThat(m.scopes().get("team")).isEqualTo(new MemoryConfig.Scope(List.of("*"), List.of("group:agents"),
        List.of("alice")));
    assertThat(parse("servers:\n  a: {command: x}\n").config().memory()).isEqualTo(MemoryConfig.DEFAULT);
  }

  @Test
  void badMemorySettingsAreErrorsWithTheirPlace() {
    List<String> errors = errors("""
        servers:
          m: {builtin: files}
          n: {builtin: memory, command: x}
        memory:
          postgres: {url: "mysql://db"}
          checkpointEvery: -1
          scopes:
            "agent:bob": {read: ["*"]}
            team: {read: ["*"], own: [x]}
        """);

    assertThat(errors).contains("aegis.yaml:2:7: 'builtin' must be one of [memory], was 'files'",
        "aegis.yaml:3:3: server 'n' is built in ('builtin'), so it has no 'command' or 'url'",
        "aegis.yaml:5:14: 'url' must be a jdbc:postgresql://HOST:PORT/DATABASE address",
        "aegis.yaml:6:3: 'checkpointEvery' must be a positive whole number");
    assertThat(errors).anyMatch(e -> e.startsWith("aegis.yaml:8:5: a scope name") && e.contains("agent:"));
    assertThat(errors).contains("aegis.yaml:9:25: unknown right 'own': one of read, write, admin");
  }

  @Test
  void snapshotSettingsAreReadAndTheirErrorsPlaced() throws Exception {
    GatewayConfig c = ConfigLoader.parse("/etc/aegis/aegis.yaml", """
        servers:
          fs: {command: fs-mcp}
        snapshots:
          keep: 7
          workspaces:
            fs: [project]
        """.getBytes(StandardCharsets.UTF_8)).config();
    assertThat(c.snapshots().workspaces().get("fs")).containsExactly(java.nio.file.Path.of("/etc/aegis/project"));
    assertThat(c.snapshots().keep()).isEqualTo(7);
    assertThat(parse("servers:\n  a: {command: x}\n").config().snapshots())
        .isEqualTo(dev.aegis.sandbox.snapshot.SnapshotConfig.NONE);

    List<String> errors = errors("""
        servers:
          a: {command: x}
        snapshots:
          calls: some
        """);
    assertThat(errors).singleElement().asString().startsWith("aegis.yaml:4:3: snapshots.calls: must be writes or all");
  }
}
