package dev.aegis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pin.Lockfile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code aegis pin} lists real servers (the bundled example server and an attack-lab server, as child processes) and
 * records what they offer; a definition the scanner blocks is not approved unless asked.
 */
class PinCommandTest {
  @TempDir
  Path tmp;

  private record Run(int code, String out, String err) {}

  private Run pin(String... args) {
    PinCommand cmd = new PinCommand();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    cmd.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    cmd.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    int code = new CommandLine(cmd).execute(args);
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Path config() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    String cp = System.getProperty("java.class.path");
    Path home = Files.createDirectories(tmp.resolve("home"));
    String yaml = "servers:\n"
        + "  a:\n    command: " + quoted(java) + "\n    args: [\"-XX:TieredStopAtLevel=1\", \"-cp\", " + quoted(cp)
        + ", dev.aegis.cli.Main, example-server]\n"
        + "  evil:\n    command: " + quoted(java) + "\n    args: [\"-XX:TieredStopAtLevel=1\", \"-cp\", " + quoted(cp)
        + ", dev.aegis.cli.Main, demo, --serve, schema-injection]\n"
        + "    env: {AEGIS_DEMO_DIR: " + quoted(tmp.toString()) + ", HOME: " + quoted(home.toString()) + "}\n";
    Path file = tmp.resolve("aegis.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  @Test
  void pinsEveryServerAsApprovedByYouAndLeavesOutWhatTheScannerBlocks() throws Exception {
    Path lock = tmp.resolve("aegis.lock");

    Run r = pin("--config", config().toString(), "--lockfile", lock.toString(), "--by", "alice");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("a: pinned 2 tools", "evil: pinned", "not pinned (the scanner blocks it");
    Lockfile file = Lockfile.read(lock);
    Lockfile.Server a = file.server("a");
    assertThat(a.pins(Lockfile.Kind.TOOL)).containsKeys("echo", "add");
    assertThat(a.pins(Lockfile.Kind.TOOL).get("echo").approved().by()).isEqualTo("alice");
    assertThat(a.identity().command()).contains("example-server");
    assertThat(a.identity().serverName()).isNotEmpty();
    assertThat(file.server("evil").pins(Lockfile.Kind.TOOL)).doesNotContainKey("add");

    Run again = pin("--config", config().toString(), "--lockfile", lock.toString(), "--server", "a");
    assertThat(again.out()).contains("a: pinned 2 tools", "(unchanged)");
  }

  @Test
  void acceptFindingsPinsEvenWhatTheScannerBlocks() throws Exception {
    Path lock = tmp.resolve("aegis.lock");

    Run r = pin("--config", config().toString(), "--lockfile", lock.toString(), "--server", "evil",
        "--accept-findings");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Lockfile.read(lock).server("evil").pins(Lockfile.Kind.TOOL)).containsKey("add");
    assertThat(Lockfile.read(lock).servers().keySet()).isEqualTo(java.util.Set.of("evil"));
  }

  @Test
  void anUnknownServerNameIsAnError() throws Exception {
    Run r = pin("--config", config().toString(), "--lockfile", tmp.resolve("x.lock").toString(), "--server", "nope");

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("no server named 'nope'");
    assertThat(List.of(Files.exists(tmp.resolve("x.lock")))).containsExactly(false);
  }
}
