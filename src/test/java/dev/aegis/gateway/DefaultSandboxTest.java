package dev.aegis.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.config.ConfigLoader;
import dev.aegis.config.GatewayConfig;
import dev.aegis.protocol.Response;
import dev.aegis.sandbox.HostSupport;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A configuration that says nothing about the sandbox runs its stdio servers sandboxed (the automatic default: here
 * strict, since the example server is nothing Aegis knows better): the server cannot read a file outside what it was
 * granted and has no network. {@code sandbox: false} and {@code sandbox.default: off} opt out, and then the same calls
 * succeed (so the test can fail).
 */
class DefaultSandboxTest {
  @TempDir
  Path lab;

  @Test
  void aServerWithNoSandboxConfigurationCannotReadOutsideItsGrantsNorReachTheNetwork() throws Exception {
    assertThat(HostSupport.probe().bwrap()).as("bubblewrap must work here (apt-get install bubblewrap)").isTrue();
    TestServers.CapturedLog log = new TestServers.CapturedLog();
    Outcome o = run("", "", log);
    assertThat(o.read).as("read_path of a file in a temporary home").doesNotContain("private notes");
    assertThat(o.net).as("TCP to the host's loopback").doesNotContain("connected");
    assertThat(log.text()).contains("server 'ex' runs sandboxed (profile strict (default), bubblewrap");
  }

  @Test
  void sandboxFalseOnTheServerOptsOut() throws Exception {
    TestServers.CapturedLog log = new TestServers.CapturedLog();
    Outcome o = run("    sandbox: false\n", "", log);
    assertThat(o.read).contains("private notes");
    assertThat(o.net).contains("connected");
    assertThat(log.text()).doesNotContain("sandbox");
  }

  @Test
  void defaultOffOptsEveryServerOut() throws Exception {
    Outcome o = run("", "sandbox:\n  default: off\n", new TestServers.CapturedLog());
    assertThat(o.read).contains("private notes");
    assertThat(o.net).contains("connected");
  }

  private record Outcome(String read, String net) {}

  private Outcome run(String serverExtra, String section, TestServers.CapturedLog log) throws Exception {
    Path home = Files.createDirectories(lab.resolve("home"));
    Path notes = Files.writeString(home.resolve("notes.txt"), "private notes");
    String java = ProcessHandle.current().info().command().orElse("java");
    String yaml = "servers:\n  ex:\n    command: " + json(java) + "\n    args: [\"-XX:TieredStopAtLevel=1\", "
        + "\"-XX:+UseSerialGC\", \"-cp\", " + json(System.getProperty("java.class.path"))
        + ", \"dev.aegis.cli.Main\", \"example-server\", \"--test-tools\"]\n" + serverExtra + section;
    GatewayConfig config = ConfigLoader.parse(lab.resolve("aegis.yaml").toString(),
        yaml.getBytes(StandardCharsets.UTF_8)).config();
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Gateway gateway = new Gateway(config, List.of(), (e, r, n) -> { }, log.log);
        FakeHost host = new FakeHost(gateway)) {
      host.initialize();
      Response read = host.call("ex__read_path", "{\"path\":" + json(notes.toString()) + "}");
      Response net = host.call("ex__net", "{\"port\":" + listener.getLocalPort() + "}");
      return new Outcome(String.valueOf(read), String.valueOf(net));
    }
  }

  private static String json(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
