package dev.aegis.sandbox.snapshot;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Snapshots of one directory tree and their restore. State lives in {@code <state>/<id>/}: {@code blobs/} (contents
 * by SHA-256), {@code manifests/} (one JSON file per snapshot, written atomically) and a {@code lock} file.
 *
 * <p>A snapshot stats every entry and hashes (and stores) only files whose size, mtime, ctime or inode differ from
 * the previous snapshot's entry, or whose times fall within {@link Options#racyWindow()} of the previous snapshot's
 * start (a write in the same clock tick with the same size would look unchanged: git's "racy clean" problem). One
 * lock per workspace, in this process and across processes (a file lock), serialises snapshots, restores and
 * collection.
 *
 * <pre>{@code
 * Workspace ws = Workspace.open(Path.of("/work/project"), home.resolve("snapshots"), Workspace.Options.DEFAULT);
 * long seq = ws.snapshot().seq();
 * // ... a tool writes ...
 * Changes undone = ws.restore(seq, false);
 * }</pre>
 */
public final class Workspace {
  /**
   * Bounds and retention.
   *
   * @param maxFiles entries (files, directories, links) a snapshot may record
   * @param maxBytes total size of the files a snapshot may record
   * @param keep snapshots kept per workspace (older ones are pruned, then blobs nobody references are collected)
   * @param exclude relative paths left out (with what is under them), never snapshotted nor touched by restore
   * @param racyWindow how recent a change must be to be hashed again by the next snapshot whatever its stat says
   * @param clock the time a snapshot starts
   */
  public record Options(int maxFiles, long maxBytes, int keep, List<String> exclude, Duration racyWindow,
      Clock clock) {
    public static final Options DEFAULT = new Options(20_000, 512L << 20, 50, List.of(), Duration.ofSeconds(2),
        Clock.systemUTC());

    public Options {
      if (maxFiles < 1 || maxBytes < 0 || keep < 1 || racyWindow == null || racyWindow.isNegative()
          || clock == null) {
        throw new IllegalArgumentException("snapshot options need maxFiles >= 1, maxBytes >= 0, keep >= 1, a racy"
            + " window >= 0 and a clock");
      }
      exclude = List.copyOf(exclude);
      for (String e : exclude) {
        Manifest.checkPath(e);
      }
    }

    public Options withClock(Clock c) {
      return new Options(maxFiles, maxBytes, keep, exclude, racyWindow, c);
    }
  }

  /** What one snapshot did. */
  public record Snapshot(String workspace, long seq, int entries, int hashed, long nanos) {}

  private static final ConcurrentHashMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  private final Path root;
  private final String id;
  private final Path state;
  private final Path manifests;
  private final BlobStore blobs;
  private final Tree tree;
  private final List<String> stateExclude;
  private final Options options;
  private final ReentrantLock lock;
  /** The newest manifest this object has seen, indexed by path. Guarded by {@link #lock}. */
  private Manifest last;
  private Map<String, Entry> lastByPath = Map.of();
  private final Map<Long, Set<String>> hashesBySeq = new HashMap<>();
  private int prunedSinceCollect;

  private Workspace(Path root, Path stateRoot, Options options) throws IOException {
    this.root = root;
    this.id = idOf(root);
    this.state = stateRoot.toAbsolutePath().normalize().resolve(id);
    this.manifests = state.resolve("manifests");
    this.blobs = new BlobStore(state.resolve("blobs"));
    List<String> exclude = new ArrayList<>(options.exclude());
    Path realState = stateRoot.toAbsolutePath().normalize();
    if (realState.startsWith(root) && !realState.equals(root)) {
      exclude.add(root.relativize(realState).toString());
      this.stateExclude = List.of(root.relativize(realState).toString());
    } else {
      this.stateExclude = List.of();
    }
    this.tree = new Tree(root, exclude);
    this.options = options;
    this.lock = LOCKS.computeIfAbsent(state, k -> new ReentrantLock());
    Files.createDirectories(manifests);
    Settings.write(state, root, options);
  }

  /**
   * The workspace whose state is {@code stateRoot/<id>}, with the options it was last opened with: what the CLI
   * uses to roll back without the gateway's configuration.
   */
  public static Workspace openState(Path stateRoot, String id) throws IOException {
    Settings s = Settings.read(stateRoot.toAbsolutePath().normalize().resolve(id));
    return open(s.root(), stateRoot, s.options());
  }

  /**
   * The workspace at {@code root} (resolved to its real path), its state under {@code stateRoot/<id>}.
   *
   * @throws SnapshotException when root is not a directory
   */
  public static Workspace open(Path root, Path stateRoot, Options options) throws IOException {
    Path real;
    try {
      real = root.toRealPath();
    } catch (NoSuchFileException e) {
      throw new SnapshotException("workspace " + root + " does not exist", false);
    }
    if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
      throw new SnapshotException("workspace " + root + " is not a directory", false);
    }
    if (!java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("unix")) {
      throw new SnapshotException("workspace snapshots need a Unix file system (lstat, inode, ctime)", false);
    }
    return new Workspace(real, stateRoot, options);
  }

  /** A stable id for a workspace path: the first 16 hex digits of the SHA-256 of its absolute path. */
  public static String idOf(Path root) {
    byte[] d = BlobStore.sha256().digest(root.toString().getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(d, 0, 8);
  }

  public Options options() {
    return options;
  }

  public Path root() {
    return root;
  }

  public String id() {
    return id;
  }

  /**
   * Records the tree as it is now.
   *
   * @throws SnapshotException when a limit is exceeded ({@link SnapshotException#limit()}) or the state is damaged
   */
  public Snapshot snapshot() throws IOException {
    return locked(() -> {
      long t0 = System.nanoTime();
      long started = Tree.nanos(java.nio.file.attribute.FileTime.from(options.clock().instant()));
      Manifest prev = latest();
      long trustBefore = prev == null ? Long.MIN_VALUE : prev.started() - options.racyWindow().toNanos();
      List<Entry> now = tree.list(new Tree.Bounds(options.maxFiles(), options.maxBytes()));
      List<Entry> entries = new ArrayList<>(now.size());
      int hashed = 0;
      for (Entry e : now) {
        if (e.kind() != Entry.Kind.FILE) {
          entries.add(e);
          continue;
        }
        Entry p = lastByPath.get(e.path());
        if (p != null && p.sameStat(e) && Math.max(p.mtime(), p.ctime()) < trustBefore) {
          entries.add(e.withHash(p.hash()));
          continue;
        }
        String hash;
        try {
          hash = blobs.put(root.resolve(e.path()), e.size());
        } catch (NoSuchFileException gone) {
          continue; // deleted after the walk saw it
        } catch (java.nio.file.FileSystemException unreadable) {
          throw new SnapshotException("cannot read " + root.resolve(e.path()) + " for a snapshot: "
              + unreadable.getReason(), unreadable);
        }
        entries.add(e.withHash(hash));
        hashed++;
      }
      long seq = prev == null ? lastSeq() + 1 : prev.seq() + 1;
      Manifest m = new Manifest(seq, root.toString(), started, options.exclude(), entries);
      m.write(manifests);
      remember(m);
      retain();
      return new Snapshot(id, seq, entries.size(), hashed, System.nanoTime() - t0);
    });
  }

  /**
   * Makes the tree identical to snapshot {@code seq}: removes what is new, recreates directories, files (from their
   * blobs, atomically), modes, times and links; never follows a link. With {@code dryRun} only reports.
   *
   * @throws SnapshotException when the snapshot is gone (retention) or its blobs are damaged
   */
  public Changes restore(long seq, boolean dryRun) throws IOException {
    return locked(() -> {
      Manifest m = manifest(seq);
      List<String> exclude = new ArrayList<>(m.exclude());
      exclude.addAll(stateExclude);
      return new Restore(root, new Tree(root, exclude), blobs, options.racyWindow().toNanos()).run(m, dryRun);
    });
  }

  /** The snapshots kept, oldest first. */
  public List<Long> list() throws IOException {
    List<Long> seqs = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(manifests)) {
      for (Path f : files) {
        long s = Manifest.seqOf(f.getFileName().toString());
        if (s > 0) {
          seqs.add(s);
        }
      }
    }
    seqs.sort(null);
    return seqs;
  }

  /**
   * Snapshot {@code seq}.
   *
   * @throws SnapshotException when it is not kept (pruned by retention) or its manifest is damaged
   */
  public Manifest manifest(long seq) throws IOException {
    Manifest cached = last;
    if (cached != null && cached.seq() == seq) {
      return cached;
    }
    Path file = manifests.resolve(Manifest.fileName(seq));
    if (!Files.exists(file)) {
      throw new SnapshotException("snapshot " + seq + " of workspace " + root + " is gone (retention keeps the last "
          + options.keep() + ")", false);
    }
    return Manifest.read(file);
  }

  /** Collects now the blobs no kept snapshot references; returns how many went. */
  public int collect() throws IOException {
    return locked(this::collectLocked);
  }

  private Manifest latest() throws IOException {
    long newest = lastSeq();
    if (newest == 0) {
      return null;
    }
    if (last == null || last.seq() != newest) {
      remember(Manifest.read(manifests.resolve(Manifest.fileName(newest))));
    }
    return last;
  }

  private long lastSeq() throws IOException {
    List<Long> seqs = list();
    return seqs.isEmpty() ? 0 : seqs.get(seqs.size() - 1);
  }

  private void remember(Manifest m) {
    Map<String, Entry> byPath = new HashMap<>(m.entries().size() * 2);
    Set<String> hashes = new HashSet<>();
    for (Entry e : m.entries()) {
      byPath.put(e.path(), e);
      if (e.hash() != null) {
        hashes.add(e.hash());
      }
    }
    last = m;
    lastByPath = byPath;
    hashesBySeq.put(m.seq(), hashes);
  }

  private void retain() throws IOException {
    List<Long> seqs = list();
    int excess = seqs.size() - options.keep();
    for (int i = 0; i < excess; i++) {
      Files.deleteIfExists(manifests.resolve(Manifest.fileName(seqs.get(i))));
      hashesBySeq.remove(seqs.get(i));
      prunedSinceCollect++;
    }
    if (excess > 0 && prunedSinceCollect >= Math.max(1, options.keep() / 4)) {
      collectLocked();
    }
  }

  private int collectLocked() throws IOException {
    Set<String> live = new HashSet<>();
    for (long s : list()) {
      Set<String> hashes = hashesBySeq.get(s);
      if (hashes == null) {
        hashes = new HashSet<>();
        for (Entry e : Manifest.read(manifests.resolve(Manifest.fileName(s))).entries()) {
          if (e.hash() != null) {
            hashes.add(e.hash());
          }
        }
        hashesBySeq.put(s, hashes);
      }
      live.addAll(hashes);
    }
    prunedSinceCollect = 0;
    return blobs.collect(live);
  }

  private interface Locked<T> {
    T run() throws IOException;
  }

  private <T> T locked(Locked<T> body) throws IOException {
    try {
      if (!lock.tryLock(60, TimeUnit.SECONDS)) {
        throw new SnapshotException("workspace " + root + " stayed locked for 60 s", false);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SnapshotException("interrupted waiting for workspace " + root, e);
    }
    try (FileChannel ch = FileChannel.open(state.resolve("lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
      return body.run();
    } finally {
      lock.unlock();
    }
  }
}
