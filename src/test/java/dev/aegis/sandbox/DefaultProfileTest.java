package dev.aegis.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aegis.config.SandboxConfig;
import dev.aegis.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The automatic default: which profile a server that names none gets, from what its command line runs; and what
 * happens where the machine cannot sandbox (the automatic default starts the server with one loud warning, a named
 * profile is refused). The machine without bubblewrap is {@link HostSupport#NONE}: a probe result, the outside
 * boundary.
 */
class DefaultProfileTest {
  @TempDir
  Path dir;

  private final List<String> info = new CopyOnWriteArrayList<>();
  private final List<String> warn = new CopyOnWriteArrayList<>();

  private Sandbox sandbox(SandboxConfig cfg, HostSupport host) {
    return new Sandbox(cfg, host, Map.of("PATH", "/usr/bin:/bin"), info::add, warn::add);
  }

  private Sandbox.Choice choose(String... command) {
    return choose(Map.of(), command);
  }

  private Sandbox.Choice choose(Map<String, String> env, String... command) {
    return sandbox(SandboxConfig.DEFAULT, HostSupport.NONE).choose("s", new ServerConfig.Stdio(List.of(command), env,
        dir.toString()));
  }

  /** A script inside {@code node_modules/PACKAGE}, as npm lays packages out. */
  private String script(String pkg) throws IOException {
    Path f = dir.resolve("node_modules").resolve(pkg).resolve("dist/index.js");
    Files.createDirectories(f.getParent());
    return Files.writeString(f, "// " + pkg + "\n").toString();
  }

  @Test
  void theFilesystemServerGetsFilesystemItsRootsBeingItsArgumentFolders() throws IOException {
    Sandbox.Choice c = choose("node", script("@modelcontextprotocol/server-filesystem"), dir.toString());
    assertThat(c.profileName()).isEqualTo("filesystem");
    assertThat(c.origin()).isEqualTo(Sandbox.Origin.AUTO);
    assertThat(c.profile()).isEqualTo(Profiles.FILESYSTEM);
    assertThat(c.label()).isEqualTo("filesystem (default: @modelcontextprotocol/server-filesystem, its roots (the "
        + "folders in its arguments) read-write)");
  }

  @Test
  void aPackageBinLinkIsFollowedToItsPackage() throws IOException {
    Path bin = Files.createDirectories(dir.resolve("node_modules/.bin"));
    Path link = Files.createSymbolicLink(bin.resolve("mcp-server-filesystem"),
        Path.of(script("@modelcontextprotocol/server-filesystem")));
    assertThat(choose(link.toString(), "/srv").profileName()).isEqualTo("filesystem");
  }

  @Test
  void theFetchServerGetsFetchWhicheverWayItIsStarted() {
    assertThat(choose("python3", "-m", "mcp_server_fetch").profileName()).isEqualTo("fetch");
    assertThat(choose("mcp-server-fetch").profileName()).isEqualTo("fetch");
    Sandbox.Choice uvx = choose("uvx", "mcp-server-fetch");
    assertThat(uvx.profileName()).as("a launcher works where the profile has the network anyway").isEqualTo("fetch");
    assertThat(uvx.label()).isEqualTo("fetch (default: mcp-server-fetch, network)");
  }

  @Test
  void everythingElseGetsStrict() throws IOException {
    for (Sandbox.Choice c : List.of(choose("node", script("@modelcontextprotocol/server-everything"), "stdio"),
        choose("node", "server.js"), choose("/usr/bin/java", "-cp", "app.jar", "Main"),
        choose("python", "server.py"), choose("./my-server"))) {
      assertThat(c.profileName()).isEqualTo("strict");
      assertThat(c.profile()).isEqualTo(Profiles.STRICT);
      assertThat(c.label()).isEqualTo("strict (default)");
    }
  }

  @Test
  void theMemoryServerMayWriteTheFolderOfItsMemoryFile() throws IOException {
    Sandbox.Choice c = choose(Map.of("MEMORY_FILE_PATH", "/data/mem/memory.jsonl"), "node",
        script("@modelcontextprotocol/server-memory"));
    assertThat(c.profileName()).isEqualTo("strict");
    assertThat(c.profile().write()).containsExactly("/data/mem");
    assertThat(c.profile().network()).isFalse();
    assertThat(c.label()).contains("/data/mem read-write (MEMORY_FILE_PATH)");
  }

  @Test
  void aMemoryFileInTheHomeOrInTmpDoesNotGetItsFolderGranted() throws IOException {
    String memory = script("@modelcontextprotocol/server-memory");
    String home = System.getProperty("user.home");
    for (String file : List.of(home + "/memory.jsonl", "/tmp/memory.jsonl", "/memory.jsonl", "/etc/x/memory.jsonl")) {
      Sandbox.Choice c = choose(Map.of("MEMORY_FILE_PATH", file), "node", memory);
      assertThat(c.profile().write()).as(file).isEmpty();
      assertThat(c.notGranted()).as(file).hasSize(1);
      assertThat(c.label()).contains("(MEMORY_FILE_PATH) NOT granted: too broad");
    }
    ServerConfig.Stdio s = new ServerConfig.Stdio(List.of("node", memory), Map.of("MEMORY_FILE_PATH",
        home + "/memory.jsonl"), null);
    Sandbox sb = sandbox(SandboxConfig.DEFAULT, Fixture.host());
    sb.prepare("m", s);
    sb.prepare("m", s);
    assertThat(warn).filteredOn(w -> w.startsWith("SANDBOX: server 'm'")).hasSize(1).allMatch(w -> w.contains(
        "it will fail to write there"));
  }

  @Test
  void launchersAndContainersAreLeftUnsandboxedWithAReason() {
    Sandbox.Choice npx = choose("npx", "-y", "@modelcontextprotocol/server-filesystem@2026.8.31", "/srv");
    assertThat(npx.sandboxed()).isFalse();
    assertThat(npx.label()).isEqualTo("off (default: started by npx, which downloads "
        + "@modelcontextprotocol/server-filesystem at every start and needs the network and its cache in the real "
        + "home)");
    assertThat(choose("uvx", "some-server").sandboxed()).isFalse();
    assertThat(choose("pnpm", "dlx", "x").sandboxed()).isFalse();
    assertThat(choose("docker", "run", "-i", "--rm", "mcp/fetch").label()).contains("started by docker");
  }

  @Test
  void aLauncherStartsWithOneWarningThatSaysHowToSandboxIt() throws IOException {
    Sandbox s = sandbox(SandboxConfig.DEFAULT, Fixture.host());
    ServerConfig.Stdio npx = new ServerConfig.Stdio(List.of("npx", "-y", "some-mcp-server"), Map.of(), null);
    Sandbox.Launch l = s.prepare("n", npx);
    s.prepare("n", npx);
    assertThat(l.sandboxed()).isFalse();
    assertThat(l.command()).isEqualTo(npx.command());
    assertThat(warn).hasSize(1);
    assertThat(warn.get(0)).startsWith("SANDBOX OFF: server 'n' runs unsandboxed: it is started by npx")
        .contains("install the package and start it directly", "sandbox: false");
  }

  @Test
  void namedProfilesAndOptOutsWinOverTheAutomaticChoice() throws IOException {
    String fs = script("@modelcontextprotocol/server-filesystem");
    ServerConfig.Stdio s = new ServerConfig.Stdio(List.of("node", fs, "/srv"), Map.of(), null);
    SandboxConfig cfg = new SandboxConfig(Map.of(), "strict", false, Map.of("off", SandboxConfig.OFF, "auto",
        SandboxConfig.AUTO, "named", "fetch"));
    Sandbox sb = sandbox(cfg, HostSupport.NONE);
    assertThat(sb.choose("other", s).label()).isEqualTo("strict (sandbox.default)");
    assertThat(sb.choose("named", s).label()).isEqualTo("fetch");
    assertThat(sb.choose("auto", s).profileName()).isEqualTo("filesystem");
    assertThat(sb.choose("off", s).label()).isEqualTo("off (sandbox: false)");
    assertThat(sandbox(SandboxConfig.OFF_EVERYWHERE, HostSupport.NONE).choose("x", s).label())
        .isEqualTo("off (sandbox.default: off)");
  }

  @Test
  void withoutBubblewrapTheAutomaticDefaultStartsTheServerUnsandboxedWithOneLoudWarning() throws IOException {
    ServerConfig.Stdio sh = new ServerConfig.Stdio(List.of("/bin/sh", "-c", "true"), Map.of(), null);
    Sandbox s = sandbox(SandboxConfig.DEFAULT, HostSupport.NONE);
    Sandbox.Launch l = s.prepare("a", sh);
    s.prepare("a", sh);
    assertThat(l.sandboxed()).isFalse();
    assertThat(l.command()).isEqualTo(sh.command());
    assertThat(warn).hasSize(1);
    assertThat(warn.get(0)).startsWith("SANDBOX DEGRADED: server 'a': the default sandbox profile 'strict' cannot be "
        + "fully enforced on this machine (missing: bubblewrap (bwrap) is not installed")
        .contains("starting it UNSANDBOXED because no profile was named for it");
    // aegis status says what really runs, not only what was chosen
    assertThat(s.effective("a", sh)).isEqualTo("strict (default); degraded: unsandboxed (bubblewrap missing)");
  }

  @Test
  void withoutBubblewrapANamedProfileIsStillRefused() {
    ServerConfig.Stdio sh = new ServerConfig.Stdio(List.of("/bin/sh", "-c", "true"), Map.of(), null);
    for (SandboxConfig cfg : List.of(new SandboxConfig(Map.of(), SandboxConfig.AUTO, false, Map.of("a", "strict")),
        new SandboxConfig(Map.of(), "strict", false, Map.of()))) {
      assertThatThrownBy(() -> sandbox(cfg, HostSupport.NONE).prepare("a", sh)).isInstanceOf(IOException.class)
          .hasMessageContaining("server 'a': sandbox profile 'strict' cannot be fully enforced")
          .hasMessageContaining("sandbox.degrade: true");
      assertThat(sandbox(cfg, HostSupport.NONE).effective("a", sh)).contains("; refused here (missing: bubblewrap");
    }
  }

  @Test
  void onAMachineThatSandboxesTheAutomaticDefaultWrapsTheServer() throws IOException {
    ServerConfig.Stdio sh = new ServerConfig.Stdio(List.of("/bin/sh", "-c", "true"), Map.of(), null);
    Sandbox.Launch l = sandbox(SandboxConfig.DEFAULT, Fixture.host()).prepare("a", sh);
    assertThat(l.sandboxed()).isTrue();
    assertThat(l.profile()).isEqualTo("strict");
    assertThat(l.command()).contains("--unshare-net", "--clearenv");
    assertThat(info).anyMatch(i -> i.startsWith("server 'a' runs sandboxed (profile strict (default), bubblewrap"));
    // (a machine without writable cgroups would add "; degraded: without memory limit ...")
    assertThat(sandbox(SandboxConfig.DEFAULT, Fixture.host()).effective("a", sh)).startsWith("strict (default)")
        .doesNotContain("unsandboxed", "refused");
  }

  @Test
  void aNodeScriptOutsideNodeModulesFindsItsProjectsDependenciesAndModuleType() throws Exception {
    Path proj = Files.createDirectories(dir.resolve("proj"));
    Files.writeString(proj.resolve("package.json"), "{\"type\":\"module\"}");
    Path dep = Files.createDirectories(proj.resolve("node_modules/dep"));
    Files.writeString(dep.resolve("package.json"), "{\"name\":\"dep\",\"type\":\"module\",\"main\":\"index.js\"}");
    Files.writeString(dep.resolve("index.js"), "export default 'dep ok';\n");
    Path server = Files.createDirectories(proj.resolve("src")).resolve("server.js");
    Files.writeString(server, "import dep from 'dep';\nconsole.log(dep);\n");
    ServerConfig.Stdio s = new ServerConfig.Stdio(List.of("node", server.toString()), Map.of(), null);
    Sandbox.Launch l = sandbox(SandboxConfig.DEFAULT, Fixture.host()).prepare("n", s);
    assertThat(l.sandboxed()).isTrue();
    Process p = new ProcessBuilder(l.command()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(out).as("node's output").contains("dep ok");
  }

  @Test
  void packageSpecsLoseTheirVersions() {
    assertThat(KnownServers.withoutVersion("@scope/pkg@1.2.3")).isEqualTo("@scope/pkg");
    assertThat(KnownServers.withoutVersion("pkg@latest")).isEqualTo("pkg");
    assertThat(KnownServers.withoutVersion("mcp-server-fetch==1.0")).isEqualTo("mcp-server-fetch");
    assertThat(KnownServers.normalise("MCP_Server.Fetch")).isEqualTo("mcp-server-fetch");
  }
}
