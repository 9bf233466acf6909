package dev.aegis.bench;

import dev.aegis.sandbox.snapshot.Changes;
import dev.aegis.sandbox.snapshot.Workspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What a workspace snapshot costs before a tool call, on a 1,000-file workspace (20 directories of 50 files, 1-4 KiB
 * each, on the disk under {@code java.io.tmpdir}):
 *
 * <ul>
 *   <li>{@code incrementalFewChanges}: the per-call cost: three files rewritten since the last snapshot (the same
 *       three each time: at this rate of calls, different files every time would all be inside the racy window and
 *       hashed again on every snapshot for 2 s), then a
 *       snapshot (a tree walk, the changed files hashed and stored, the manifest written and forced to disk;
 *       retention and blob collection amortised in).
 *   <li>{@code incrementalNoChange}: the walk and manifest alone.
 *   <li>{@code first}: the first snapshot of the workspace (every file hashed and stored), single shot per fresh
 *       state directory.
 *   <li>{@code restoreFewChanges}: a rollback after a call that modified three files, created one and deleted one.
 * </ul>
 *
 * <pre>{@code bench/jmh.sh SnapshotBench}</pre>
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SnapshotBench {
  private static final int DIRS = 20;
  private static final int FILES_PER_DIR = 50;

  private Path base;
  private Path root;
  private Workspace workspace;
  private long round;
  private long restoreTo;

  @Setup(Level.Trial)
  public void setup() throws IOException {
    base = Files.createTempDirectory("aegis-snapshot-bench");
    root = Files.createDirectories(base.resolve("ws"));
    for (int d = 0; d < DIRS; d++) {
      Path dir = Files.createDirectories(root.resolve("dir" + d));
      for (int f = 0; f < FILES_PER_DIR; f++) {
        int size = 1024 + (d * FILES_PER_DIR + f) * 37 % 3072;
        Files.writeString(dir.resolve("file" + f + ".txt"), ("line " + d + "/" + f + "\n").repeat(size / 12),
            StandardCharsets.UTF_8);
      }
    }
    try {
      Thread.sleep(2_100); // a workspace's files predate the calls: let them age past the racy window
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    workspace = Workspace.open(root, base.resolve("state"), Workspace.Options.DEFAULT);
    workspace.snapshot();
    restoreTo = workspace.snapshot().seq();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    delete(base);
  }

  private static void delete(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path x : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(x);
      }
    }
  }

  private void touchFew() throws IOException {
    round++;
    for (int i = 0; i < 3; i++) {
      Files.writeString(root.resolve("dir" + i).resolve("file" + i + ".txt"),
          "changed in round " + round + "\n", StandardCharsets.UTF_8);
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  public long incrementalFewChanges() throws IOException {
    touchFew();
    return workspace.snapshot().seq();
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  public long incrementalNoChange() throws IOException {
    return workspace.snapshot().seq();
  }

  /**
   * A fresh state directory per invocation, for {@link #first}. The old ones are only deleted with the trial: deleting
   * a thousand blobs right before the measured call made the file system's deferred work land inside it (~0.9 s
   * instead of ~65 ms here).
   */
  @State(Scope.Thread)
  public static class Fresh {
    Path dir;

    @Setup(Level.Invocation)
    public void fresh(SnapshotBench bench) throws IOException {
      dir = Files.createTempDirectory(bench.base, "state");
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  public long first(Fresh fresh) throws IOException {
    return Workspace.open(root, fresh.dir, Workspace.Options.DEFAULT).snapshot().seq();
  }

  /** The call's changes are made inside the measured method: a few file writes, small next to the restore. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  public Changes restoreFewChanges() throws IOException {
    touchFew();
    Files.writeString(root.resolve("dir5/created.txt"), "created");
    Files.deleteIfExists(root.resolve("dir6/file7.txt"));
    return workspace.restore(restoreTo, false);
  }
}
