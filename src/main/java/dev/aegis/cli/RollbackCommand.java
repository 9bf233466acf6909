package dev.aegis.cli;

import dev.aegis.sandbox.snapshot.Changes;
import dev.aegis.sandbox.snapshot.SnapshotException;
import dev.aegis.sandbox.snapshot.Snapshots;
import dev.aegis.sandbox.snapshot.Workspace;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code aegis rollback CALL_ID}: puts a call's workspaces back as they were before the call (see
 * {@code docs/rollback.md}); {@code --list} shows recent calls and their snapshots. A rollback is itself
 * snapshotted first and printed with the id that undoes it.
 */
@Command(name = "rollback", mixinStandardHelpOptions = true,
    description = "Restore the files a tool call changed, by call id; --list shows recent calls.")
final class RollbackCommand implements Callable<Integer> {
  @Parameters(index = "0", arity = "0..1", paramLabel = "CALL_ID", description = "The call to roll back.")
  String call;

  @Option(names = "--list", description = "List recent calls with their snapshots instead.")
  boolean list;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "Calls listed (default 20).")
  int limit;

  @Option(names = "--dry-run", description = "Print what a rollback would change; change nothing.")
  boolean dryRun;

  @Option(names = "--dir", paramLabel = "DIR",
      description = "The snapshot state directory (default: $AEGIS_HOME/snapshots).")
  Path dir;

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    Snapshots state = new Snapshots(dir != null ? dir : AegisHome.resolve().resolve("snapshots"), Clock.systemUTC(),
        1000);
    try {
      if (list) {
        list(state);
        return 0;
      }
      if (call == null) {
        err.println("aegis rollback: name a CALL_ID, or use --list");
        return 2;
      }
      rollback(state);
      return 0;
    } catch (IllegalArgumentException | SnapshotException e) {
      err.println("aegis rollback: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("aegis rollback: " + e);
      return 1;
    }
  }

  private void list(Snapshots state) throws IOException {
    List<Snapshots.CallRecord> calls = state.recent(Math.max(1, limit));
    if (calls.isEmpty()) {
      out.println("no calls recorded in " + state.dir());
      return;
    }
    out.printf("%-26s %-20s %-12s %-20s %s%n", "CALL", "TIME", "SERVER", "TOOL", "SNAPSHOTS");
    for (Snapshots.CallRecord r : calls) {
      StringBuilder snaps = new StringBuilder();
      for (Snapshots.Taken t : r.snapshots()) {
        snaps.append(snaps.length() == 0 ? "" : ", ").append(t.root()).append(" #").append(t.seq());
        if (!kept(state, t)) {
          snaps.append(" (gone)");
        }
      }
      out.printf("%-26s %-20s %-12s %-20s %s%n", r.call(), r.time().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
          r.server(), r.tool(), snaps.length() == 0 ? "(none)" : snaps);
    }
  }

  private static boolean kept(Snapshots state, Snapshots.Taken t) {
    try {
      return Workspace.openState(state.dir(), t.workspace()).list().contains(t.seq());
    } catch (IOException e) {
      return false;
    }
  }

  private void rollback(Snapshots state) throws IOException {
    Snapshots.Rollback rb = state.rollback(call, dryRun);
    Snapshots.CallRecord r = rb.call();
    out.println((dryRun ? "would roll back " : "rolled back ") + r.call() + " (" + r.server() + "/" + r.tool()
        + " at " + r.time() + ")");
    int i = 0;
    for (Map.Entry<String, Changes> e : rb.changes().entrySet()) {
      Changes c = e.getValue();
      out.println(e.getKey() + " -> snapshot #" + r.snapshots().get(i++).seq() + ": " + c.summary());
      c.created().forEach(p -> out.println("  created   " + p + (dryRun ? "" : " (removed)")));
      c.modified().forEach(p -> out.println("  modified  " + p + (dryRun ? "" : " (restored)")));
      c.deleted().forEach(p -> out.println("  deleted   " + p + (dryRun ? "" : " (recreated)")));
      c.renamed().forEach(m -> out.println("  renamed   " + m.from() + " -> " + m.to() + (dryRun ? ""
          : " (moved back)")));
    }
    if (rb.undo() != null) {
      out.println("undo with: aegis rollback " + rb.undo());
    }
  }
}
