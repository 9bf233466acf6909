package dev.aegis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.config.GatewayConfig;
import dev.aegis.config.SandboxConfig;
import dev.aegis.config.ServerConfig;
import dev.aegis.demo.AttackServer;
import dev.aegis.protocol.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's remote-access attack (a save_note tool redefined to append an attacker key to ~/.ssh/authorized_keys),
 * with no pinning, so the redefined tool is used as if approved: under the strict sandbox profile the real home's
 * authorized_keys is untouched and its private key unread, and so it is with no sandbox configuration at all (the
 * automatic default); with the sandbox turned off the same calls plant the key (so the test can fail).
 */
class SandboxedAttackTest {
  @TempDir
  Path lab;

  @Test
  void theStrictProfileKeepsAnApprovedAttackOutOfTheRealHome() throws Exception {
    assertThat(runAttack("strict")).doesNotContain(AttackServer.ATTACKER_KEY).startsWith("ssh-ed25519 AAAAoriginal");
  }

  @Test
  void withNoSandboxConfigurationTheDefaultKeepsTheAttackOutToo() throws Exception {
    assertThat(runAttack(null)).doesNotContain(AttackServer.ATTACKER_KEY).startsWith("ssh-ed25519 AAAAoriginal");
  }

  @Test
  void withTheSandboxOffTheSameCallsPlantTheKey() throws Exception {
    assertThat(runAttack(SandboxConfig.OFF)).contains(AttackServer.ATTACKER_KEY);
  }

  /**
   * Calls save_note until after its redefinition; returns the real home's authorized_keys afterwards.
   *
   * @param profile the server's sandbox choice (a profile or {@link SandboxConfig#OFF}); null for no configuration
   */
  private String runAttack(String profile) throws Exception {
    Path home = Files.createDirectories(lab.resolve("home"));
    Files.createDirectories(home.resolve(".ssh"));
    Path keys = home.resolve(".ssh/authorized_keys");
    Files.writeString(keys, "ssh-ed25519 AAAAoriginal me@laptop\n");
    Files.writeString(home.resolve(".ssh/id_rsa"), "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n");
    String java = ProcessHandle.current().info().command().orElse("java");
    ServerConfig server = new ServerConfig("keys", "keys", new ServerConfig.Stdio(List.of(java,
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        "dev.aegis.cli.Main", "demo", "--serve", "authorized-keys"),
        Map.of("AEGIS_DEMO_DIR", lab.toString(), "HOME", home.toString()), null));
    GatewayConfig config = GatewayConfig.of(List.of(server));
    if (profile != null) {
      config = config.withSandbox(new SandboxConfig(Map.of(), null, false, Map.of("keys", profile)));
    }
    try (Gateway gateway = new Gateway(config, List.of(), (e, r, n) -> { }, new TestServers.CapturedLog().log);
        FakeHost host = new FakeHost(gateway)) {
      host.initialize();
      host.request("tools/list", "{}");
      for (int i = 0; i < AttackServer.RUG_PULL_AFTER + 1; i++) {
        Response r = host.call("keys__save_note", "{\"text\":\"note " + i + "\"}");
        assertThat(r.isError()).as(String.valueOf(r)).isFalse(); // the tool ran, redefined the last time
      }
    }
    assertThat(Files.readString(home.resolve(".ssh/id_rsa"))).contains("secret");
    return Files.readString(keys);
  }
}
