package dev.aegis.sandbox.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceTest {
  @TempDir
  Path tmp;

  private Path ws() throws Exception {
    return Files.createDirectories(tmp.resolve("ws"));
  }

  private Path state() {
    return tmp.resolve("state");
  }

  private static void write(Path p, String text) throws Exception {
    Files.createDirectories(p.getParent());
    Files.writeString(p, text, StandardCharsets.UTF_8);
  }

  @Test
  void restoreUndoesCreatedModifiedDeletedRenamedFilesDirectoriesModesAndLinks() throws Exception {
    Path root = ws();
    write(root.resolve("keep.txt"), "unchanged");
    write(root.resolve("edit.txt"), "before");
    write(root.resolve("gone/deep/file.bin"), "deleted with its directories");
    write(root.resolve("move/me.txt"), "I will be renamed");
    write(root.resolve("script.sh"), "#!/bin/sh\necho hi\n");
    Files.setPosixFilePermissions(root.resolve("script.sh"), PosixFilePermissions.fromString("rwxr-x---"));
    Files.createDirectories(root.resolve("locked"));
    write(root.resolve("locked/inside.txt"), "in a read-only dir");
    Files.setPosixFilePermissions(root.resolve("locked"), PosixFilePermissions.fromString("r-xr-xr-x"));
    Files.createSymbolicLink(root.resolve("link"), Path.of("keep.txt"));
    Files.createSymbolicLink(root.resolve("dangling"), Path.of("nowhere/at/all"));
    Files.createDirectories(root.resolve("empty"));
    Map<String, String> before = Trees.listing(root);

    Workspace ws = Workspace.open(root, state(), Workspace.Options.DEFAULT);
    long seq = ws.snapshot().seq();

    write(root.resolve("new/nested/created.txt"), "created by the call");
    Files.writeString(root.resolve("edit.txt"), "after, and longer");
    Files.setPosixFilePermissions(root.resolve("script.sh"), PosixFilePermissions.fromString("rw-------"));
    Files.delete(root.resolve("gone/deep/file.bin"));
    Files.delete(root.resolve("gone/deep"));
    Files.delete(root.resolve("gone"));
    Files.move(root.resolve("move/me.txt"), root.resolve("moved.txt"));
    Files.delete(root.resolve("link"));
    Files.createSymbolicLink(root.resolve("link"), Path.of("edit.txt"));
    Files.delete(root.resolve("empty"));
    write(root.resolve("empty"), "now a file where a directory was");
    Files.setPosixFilePermissions(root.resolve("locked"), PosixFilePermissions.fromString("rwxr-xr-x"));
    write(root.resolve("locked/extra.txt"), "x");
    Files.setPosixFilePermissions(root.resolve("locked"), PosixFilePermissions.fromString("r-xr-xr-x"));
    assertThat(Trees.listing(root)).isNotEqualTo(before);

    Changes dry = ws.restore(seq, true);
    assertThat(Files.exists(root.resolve("moved.txt"))).as("a dry run changes nothing").isTrue();

    Changes c = ws.restore(seq, false);
    assertThat(Trees.listing(root)).isEqualTo(before);
    assertThat(c).isEqualTo(dry);
    assertThat(c.renamed()).containsExactly(new Changes.Rename("move/me.txt", "moved.txt"));
    assertThat(c.created()).contains("new", "new/nested", "new/nested/created.txt", "locked/extra.txt")
        .doesNotContain("moved.txt");
    assertThat(c.modified()).contains("edit.txt", "script.sh", "link", "empty");
    assertThat(c.deleted()).contains("gone", "gone/deep", "gone/deep/file.bin").doesNotContain("move/me.txt");
    assertThat(ws.restore(seq, false).isEmpty()).as("a second restore has nothing left to do").isTrue();
  }

  @Test
  void aSymlinkPlantedByTheCallNeverLeadsRestoreOutsideTheWorkspace() throws Exception {
    Path root = ws();
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    write(outside.resolve("secret.txt"), "outside, must stay");
    write(outside.resolve("f.txt"), "outside f");
    write(root.resolve("a.txt"), "inside a");
    write(root.resolve("sub/f.txt"), "inside f");
    Map<String, String> before = Trees.listing(root);
    Map<String, String> outsideBefore = Trees.listing(outside);
    Workspace ws = Workspace.open(root, state(), Workspace.Options.DEFAULT);
    long seq = ws.snapshot().seq();

    // the call swaps a file and a directory for links to outside
    Files.delete(root.resolve("a.txt"));
    Files.createSymbolicLink(root.resolve("a.txt"), outside.resolve("secret.txt"));
    Files.delete(root.resolve("sub/f.txt"));
    Files.delete(root.resolve("sub"));
    Files.createSymbolicLink(root.resolve("sub"), outside);
    // and the next snapshot must record links, not read through them
    assertThat(ws.snapshot().hashed()).isZero();

    ws.restore(seq, false);
    assertThat(Trees.listing(root)).isEqualTo(before);
    assertThat(Trees.listing(outside)).isEqualTo(outsideBefore);
    assertThat(Files.isSymbolicLink(root.resolve("sub"))).isFalse();
  }

  @Test
  void aSameSizeWriteInTheSameClockTickIsCaughtByTheRacyRule() throws Exception {
    Path root = ws();
    Path f = root.resolve("f.txt");
    write(f, "AAAA");
    assertThat(racyChangeSeen(root, f, Duration.ofSeconds(2))).isEqualTo("BBBB");
    write(f, "AAAA");
    // without the rule the same stat is trusted and the old contents recorded: what the rule is there for
    assertThat(racyChangeSeen(root, f, Duration.ZERO)).isEqualTo("AAAA");
  }

  /**
   * Snapshots, then rewrites f in place with the same size and forges the snapshot's entry to carry the new stat
   * (exactly what a write landing in the same mtime and ctime tick as the snapshot's read looks like), then snapshots
   * again and returns the contents the second snapshot recorded for f.
   */
  private String racyChangeSeen(Path root, Path f, Duration window) throws Exception {
    Path state = Files.createTempDirectory(tmp, "state");
    Workspace.Options o = new Workspace.Options(100, 1 << 20, 10, List.of(), window, java.time.Clock.systemUTC());
    Workspace ws = Workspace.open(root, state, o);
    long seq = ws.snapshot().seq();
    Files.writeString(f, "BBBB", StandardOpenOption.TRUNCATE_EXISTING);
    Path manifests = state.resolve(ws.id()).resolve("manifests");
    Manifest m = ws.manifest(seq);
    Entry now = new Tree(root, List.of()).stat(f, "f.txt");
    List<Entry> forged = new ArrayList<>();
    for (Entry e : m.entries()) {
      forged.add(e.path().equals("f.txt") ? now.withHash(e.hash()) : e);
    }
    new Manifest(seq, m.root(), Math.max(now.mtime(), now.ctime()) + 1_000_000, m.exclude(), forged).write(manifests);
    Workspace fresh = Workspace.open(root, state, o); // reads the forged manifest from disk
    long next = fresh.snapshot().seq();
    String hash = fresh.manifest(next).entries().stream().filter(e -> e.path().equals("f.txt")).findFirst()
        .orElseThrow().hash();
    return Files.readString(new BlobStore(state.resolve(ws.id()).resolve("blobs")).path(hash));
  }

  @Test
  void afterTheFirstSnapshotOnlyChangedFilesAreHashed() throws Exception {
    Path root = ws();
    for (int i = 0; i < 50; i++) {
      write(root.resolve("d" + i % 5 + "/f" + i), "file " + i);
    }
    Workspace ws = Workspace.open(root, state(), Trees.settled(1000, 1 << 20, 10, List.of()));
    assertThat(ws.snapshot().hashed()).isEqualTo(50);
    assertThat(ws.snapshot().hashed()).isZero();
    write(root.resolve("d1/f1"), "changed");
    write(root.resolve("d2/new"), "new");
    assertThat(ws.snapshot().hashed()).isEqualTo(2);
  }

  @Test
  void limitsRefuseWithAClearMessage() throws Exception {
    Path root = ws();
    for (int i = 0; i < 5; i++) {
      write(root.resolve("f" + i), "0123456789");
    }
    Workspace few = Workspace.open(root, state(), Trees.settled(4, 1 << 20, 10, List.of()));
    String real = root.toRealPath().toString();
    assertThatThrownBy(few::snapshot).isInstanceOfSatisfying(SnapshotException.class, e -> {
      assertThat(e.limit()).isTrue();
      assertThat(e.getMessage()).contains(real).contains("more than 4 entries")
          .contains("maxFiles");
    });
    Workspace small = Workspace.open(root, state(), Trees.settled(100, 45, 10, List.of()));
    assertThatThrownBy(small::snapshot).isInstanceOfSatisfying(SnapshotException.class, e -> {
      assertThat(e.limit()).isTrue();
      assertThat(e.getMessage()).contains("more than 45 bytes").contains("maxBytes");
    });
    assertThat(small.list()).isEmpty();
    Workspace excluding = Workspace.open(root, state(), Trees.settled(4, 1 << 20, 10, List.of("f0")));
    assertThat(excluding.snapshot().entries()).isEqualTo(4);
  }

  @Test
  void excludedPathsAreNeitherRecordedNorTouchedByRestore() throws Exception {
    Path root = ws();
    write(root.resolve("a.txt"), "a");
    write(root.resolve("cache/x"), "x");
    Workspace ws = Workspace.open(root, state(), Trees.settled(100, 1 << 20, 10, List.of("cache")));
    long seq = ws.snapshot().seq();
    write(root.resolve("cache/y"), "y");
    write(root.resolve("a.txt"), "changed");
    Changes c = ws.restore(seq, false);
    assertThat(c.modified()).containsExactly("a.txt");
    assertThat(Files.readString(root.resolve("cache/y"))).isEqualTo("y");
  }

  @Test
  void retentionKeepsTheLastSnapshotsAndCollectsUnreferencedBlobs() throws Exception {
    Path root = ws();
    Workspace ws = Workspace.open(root, state(), Trees.settled(100, 1 << 20, 2, List.of()));
    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      write(root.resolve("f.txt"), "version " + i);
      seqs.add(ws.snapshot().seq());
    }
    assertThat(ws.list()).containsExactly(seqs.get(3), seqs.get(4));
    ws.collect();
    assertThat(Trees.blobCount(state())).isEqualTo(2);
    assertThatThrownBy(() -> ws.restore(seqs.get(0), false)).isInstanceOf(SnapshotException.class)
        .hasMessageContaining("is gone").hasMessageContaining("keeps the last 2");
    ws.restore(seqs.get(3), false);
    assertThat(Files.readString(root.resolve("f.txt"))).isEqualTo("version 3");
  }

  @Test
  void concurrentSnapshotsFromSeveralObjectsGetDistinctCompleteManifests() throws Exception {
    Path root = ws();
    for (int i = 0; i < 20; i++) {
      write(root.resolve("f" + i), "file " + i);
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Long>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Workspace ws = Workspace.open(root, state(), Workspace.Options.DEFAULT);
        int n = t;
        for (int i = 0; i < 5; i++) {
          int k = i;
          futures.add(pool.submit((Callable<Long>) () -> {
            write(root.resolve("f" + n), "writer " + n + " round " + k);
            return ws.snapshot().seq();
          }));
        }
      }
      List<Long> seqs = new ArrayList<>();
      for (Future<Long> f : futures) {
        seqs.add(f.get());
      }
      assertThat(seqs).doesNotHaveDuplicates().hasSize(20);
      Workspace check = Workspace.open(root, state(), Workspace.Options.DEFAULT);
      for (long s : check.list()) {
        assertThat(check.manifest(s).entries()).hasSize(20);
      }
      long first = check.list().get(0);
      check.restore(first, false);
      assertThat(check.restore(first, true).isEmpty()).isTrue();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aDamagedBlobFailsTheRestoreInsteadOfWritingWrongBytes() throws Exception {
    Path root = ws();
    write(root.resolve("f.txt"), "good");
    Workspace ws = Workspace.open(root, state(), Workspace.Options.DEFAULT);
    long seq = ws.snapshot().seq();
    String hash = ws.manifest(seq).entries().get(0).hash();
    Path blob = new BlobStore(state().resolve(ws.id()).resolve("blobs")).path(hash);
    Files.writeString(blob, "evil");
    Files.delete(root.resolve("f.txt"));
    assertThatThrownBy(() -> ws.restore(seq, false)).isInstanceOf(SnapshotException.class)
        .hasMessageContaining("does not match its hash");
    assertThat(Files.exists(root.resolve("f.txt"), LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  @Test
  void aStateDirectoryInsideTheWorkspaceIsLeftOutAndSurvivesRestore() throws Exception {
    Path root = ws();
    write(root.resolve("a.txt"), "a");
    Path state = root.resolve(".aegis/snapshots");
    Workspace ws = Workspace.open(root, state, Workspace.Options.DEFAULT);
    long seq = ws.snapshot().seq();
    assertThat(ws.manifest(seq).entries()).extracting(Entry::path).containsExactly(".aegis", "a.txt");
    write(root.resolve("a.txt"), "changed");
    long second = ws.snapshot().seq();
    ws.restore(seq, false);
    assertThat(Files.readString(root.resolve("a.txt"))).isEqualTo("a");
    assertThat(ws.list()).containsExactly(seq, second);
  }

  @Test
  void aManifestNamingAPathOutsideTheWorkspaceIsRefused() throws Exception {
    Path root = ws();
    write(root.resolve("a.txt"), "a");
    Workspace ws = Workspace.open(root, state(), Workspace.Options.DEFAULT);
    long seq = ws.snapshot().seq();
    Path file = state().resolve(ws.id()).resolve("manifests").resolve(Manifest.fileName(seq));
    Files.writeString(file, Files.readString(file).replace("\"a.txt\"", "\"../escaped.txt\""));
    Workspace fresh = Workspace.open(root, state(), Workspace.Options.DEFAULT);
    assertThatThrownBy(() -> fresh.restore(seq, false)).isInstanceOf(SnapshotException.class)
        .hasMessageContaining("invalid path '../escaped.txt'");
    assertThat(Files.exists(tmp.resolve("escaped.txt"))).isFalse();
  }
}
