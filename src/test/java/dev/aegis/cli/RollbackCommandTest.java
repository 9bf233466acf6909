package dev.aegis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.sandbox.snapshot.Snapshots;
import dev.aegis.sandbox.snapshot.Workspace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RollbackCommandTest {
  @TempDir
  Path tmp;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    RollbackCommand cmd = new RollbackCommand();
    cmd.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    cmd.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    return new CommandLine(cmd).execute(args);
  }

  @Test
  void listsCallsAndRollsOneBackPrintingWhatChanged() throws Exception {
    Path ws = Files.createDirectories(tmp.resolve("ws"));
    Files.writeString(ws.resolve("a.txt"), "before");
    Files.writeString(ws.resolve("b.txt"), "b");
    Path dir = tmp.resolve("state");
    Snapshots state = new Snapshots(dir, Clock.systemUTC(), 100);
    Workspace w = state.workspace(ws, Workspace.Options.DEFAULT);
    long seq = w.snapshot().seq();
    String id = state.newCallId();
    state.record(new Snapshots.CallRecord(id, "fs", "write_file", Instant.now(),
        List.of(new Snapshots.Taken(w.id(), w.root().toString(), seq))));
    Files.writeString(ws.resolve("a.txt"), "after");
    Files.writeString(ws.resolve("c.txt"), "new");
    Files.move(ws.resolve("b.txt"), ws.resolve("moved.txt"));

    assertThat(run("--list", "--dir", dir.toString())).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains(id).contains("fs").contains("write_file")
        .contains(w.root() + " #" + seq);

    out.reset();
    assertThat(run(id, "--dry-run", "--dir", dir.toString())).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("would roll back " + id)
        .contains("1 created, 1 modified, 0 deleted, 1 renamed");
    assertThat(Files.readString(ws.resolve("a.txt"))).isEqualTo("after");

    out.reset();
    assertThat(run(id, "--dir", dir.toString())).isZero();
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("rolled back " + id).contains("created   c.txt").contains("modified  a.txt")
        .contains("renamed   b.txt -> moved.txt").contains("undo with: aegis rollback ");
    assertThat(Files.readString(ws.resolve("a.txt"))).isEqualTo("before");
    assertThat(Files.exists(ws.resolve("c.txt"))).isFalse();
    assertThat(Files.readString(ws.resolve("b.txt"))).isEqualTo("b");
  }

  @Test
  void anUnknownOrMalformedCallIdIsAClearError() {
    assertThat(run("20260101T000000Z-00000000", "--dir", tmp.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("no call 20260101T000000Z-00000000");
    err.reset();
    assertThat(run("../../etc/passwd", "--dir", tmp.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("invalid call id");
  }
}
