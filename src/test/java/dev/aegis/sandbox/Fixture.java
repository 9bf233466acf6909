package dev.aegis.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.config.SandboxConfig;
import dev.aegis.config.ServerConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The example server with its test tools as a sandboxed (or not) child JVM. */
final class Fixture {
  private Fixture() {}

  static final String SECRET_NAME = "AEGIS_TEST_SECRET";
  static final String SECRET = "s3cret-from-the-gateway";

  static ServerConfig.Stdio exampleServer() {
    String java = ProcessHandle.current().info().command().orElse("java");
    return new ServerConfig.Stdio(List.of(java, "-Xmx1g", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
        "-cp", System.getProperty("java.class.path"), "dev.aegis.cli.Main", "example-server", "--test-tools"),
        Map.of(), null);
  }

  /** A machine that can sandbox: the tests need bubblewrap (CI installs it with apt). */
  static HostSupport host() {
    HostSupport h = HostSupport.probe();
    assertThat(h.bwrap()).as("bubblewrap must work here (apt-get install bubblewrap): %s", h).isTrue();
    return h;
  }

  /** A sandbox where server {@code name} runs under {@code profile}. */
  static Sandbox sandbox(String name, SandboxConfig.Profile profile, HostSupport host, List<String> log) {
    SandboxConfig cfg = new SandboxConfig(Map.of("test", profile), null, false, Map.of(name, "test"));
    return new Sandbox(cfg, host, System.getenv(), log::add, log::add);
  }

  static SandboxConfig.Profile profile(List<String> write, SandboxConfig.Limits limits) {
    return new SandboxConfig.Profile(false, List.of(), write, List.of(), "none", limits);
  }

  static Path path(String s) {
    return Path.of(s);
  }
}
