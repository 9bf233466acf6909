package dev.aegis.sandbox.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One restore: compares the tree with a manifest, then deletes (deepest first), creates directories, writes files
 * (blob to a temporary file beside the target, mode and mtime set, renamed over it), creates links, and finally puts
 * directory modes and times back. Never follows a link: links are deleted or created as links, files are opened with
 * {@code NOFOLLOW_LINKS}, and a file is only written into a directory whose real path is where the manifest says.
 */
final class Restore {
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
  private final Path root;
  private final Tree tree;
  private final BlobStore blobs;
  private final long racyNanos;

  Restore(Path root, Tree tree, BlobStore blobs, long racyNanos) {
    this.root = root;
    this.tree = tree;
    this.blobs = blobs;
    this.racyNanos = racyNanos;
  }

  Changes run(Manifest m, boolean dryRun) throws IOException {
    Map<String, Entry> want = new LinkedHashMap<>();
    for (Entry e : m.entries()) {
      Manifest.checkPath(e.path());
      if (!tree.excluded(e.path())) {
        want.put(e.path(), e);
      }
    }
    Map<String, Entry> have = new LinkedHashMap<>();
    for (Entry e : tree.list(Tree.Bounds.NONE)) {
      have.put(e.path(), e);
    }
    long trustBefore = m.started() - racyNanos;

    List<String> remove = new ArrayList<>(); // sorted by path: parents first
    List<String> created = new ArrayList<>();
    List<String> modified = new ArrayList<>();
    List<String> deleted = new ArrayList<>();
    List<Entry> writeFiles = new ArrayList<>();
    List<Entry> fixFiles = new ArrayList<>(); // same contents, other mode or mtime
    for (Entry h : have.values()) {
      Entry w = want.get(h.path());
      if (w == null) {
        remove.add(h.path());
        created.add(h.path());
      } else if (w.kind() != h.kind() || w.kind() == Entry.Kind.LINK && !w.link().equals(h.link())) {
        remove.add(h.path());
        modified.add(h.path());
      }
    }
    Set<String> removed = new HashSet<>(remove);
    for (Entry w : want.values()) {
      Entry h = have.get(w.path());
      boolean gone = h == null || removed.contains(w.path());
      if (h == null) {
        deleted.add(w.path());
      }
      switch (w.kind()) {
        case FILE -> {
          if (gone) {
            writeFiles.add(w);
          } else if (w.sameStat(h) && Math.max(w.mtime(), w.ctime()) < trustBefore) {
            if (w.mode() != h.mode()) {
              fixFiles.add(w);
            }
          } else if (!w.hash().equals(BlobStore.hash(root.resolve(w.path())))) {
            writeFiles.add(w);
            modified.add(w.path());
          } else if (w.mode() != h.mode() || w.mtime() != h.mtime()) {
            fixFiles.add(w);
            if (w.mode() != h.mode()) {
              modified.add(w.path());
            }
          }
        }
        case DIR -> {
          if (!gone && w.mode() != h.mode()) {
            modified.add(w.path());
          }
        }
        case LINK -> { }
      }
    }
    List<Changes.Rename> renamed = renames(want, have, created, deleted);
    Changes changes = new Changes(created, modified, deleted, renamed);
    if (dryRun || changes.isEmpty() && fixFiles.isEmpty()) {
      return changes;
    }

    Set<String> opened = new HashSet<>();
    for (String rel : remove) {
      writable(parentOf(rel), have, opened);
    }
    for (Entry w : writeFiles) {
      writable(parentOf(w.path()), have, opened);
    }
    for (int i = remove.size() - 1; i >= 0; i--) {
      delete(remove.get(i), have.get(remove.get(i)));
    }
    for (Entry w : want.values()) {
      if (w.kind() == Entry.Kind.DIR && (!have.containsKey(w.path()) || removed.contains(w.path()))) {
        Path dir = safe(w.path());
        Files.createDirectory(dir);
      }
    }
    for (Entry w : writeFiles) {
      write(w);
    }
    for (Entry w : fixFiles) {
      Path f = safe(w.path());
      Files.setAttribute(f, "unix:mode", w.mode(), NOFOLLOW);
      times(f, w.mtime());
    }
    for (Entry w : want.values()) {
      if (w.kind() == Entry.Kind.LINK && (!have.containsKey(w.path()) || removed.contains(w.path()))) {
        Files.createSymbolicLink(safe(w.path()), Path.of(w.link()));
      }
    }
    List<Entry> dirs = new ArrayList<>();
    for (Entry w : want.values()) {
      if (w.kind() == Entry.Kind.DIR) {
        dirs.add(w);
      }
    }
    for (int i = dirs.size() - 1; i >= 0; i--) {
      Entry w = dirs.get(i);
      Path d = safe(w.path());
      Entry now = tree.stat(d, w.path());
      if (now == null || now.kind() != Entry.Kind.DIR) {
        throw new SnapshotException("directory " + d + " changed while it was being restored", false);
      }
      if (now.mode() != w.mode()) {
        Files.setAttribute(d, "unix:mode", w.mode(), NOFOLLOW);
      }
      if (now.mtime() != w.mtime()) {
        times(d, w.mtime());
      }
    }
    return changes;
  }

  /** Files the call moved: created now and deleted from the snapshot with the same contents. */
  private List<Changes.Rename> renames(Map<String, Entry> want, Map<String, Entry> have, List<String> created,
      List<String> deleted) throws IOException {
    Map<String, String> deletedByHash = new HashMap<>();
    Set<Long> sizes = new HashSet<>();
    for (String d : deleted) {
      Entry w = want.get(d);
      if (w.kind() == Entry.Kind.FILE) {
        deletedByHash.putIfAbsent(w.hash(), d);
        sizes.add(w.size());
      }
    }
    List<Changes.Rename> out = new ArrayList<>();
    if (deletedByHash.isEmpty()) {
      return out;
    }
    for (String c : List.copyOf(created)) {
      Entry h = have.get(c);
      if (h.kind() != Entry.Kind.FILE || !sizes.contains(h.size())) {
        continue;
      }
      String from = deletedByHash.remove(BlobStore.hash(root.resolve(c)));
      if (from != null) {
        out.add(new Changes.Rename(from, c));
        created.remove(c);
        deleted.remove(from);
      }
    }
    return out;
  }

  private static String parentOf(String rel) {
    int slash = rel.lastIndexOf('/');
    return slash < 0 ? null : rel.substring(0, slash);
  }

  /** Gives the owner write access to a directory that lacks it (the last pass puts every directory's mode back). */
  private void writable(String dirRel, Map<String, Entry> have, Set<String> opened) throws IOException {
    if (dirRel == null || !opened.add(dirRel)) {
      return;
    }
    Entry d = have.get(dirRel);
    if (d != null && d.kind() == Entry.Kind.DIR && (d.mode() & 0300) != 0300) {
      Files.setAttribute(safe(dirRel), "unix:mode", d.mode() | 0700, NOFOLLOW);
    }
  }

  private void delete(String rel, Entry h) throws IOException {
    Path p = safe(rel);
    try {
      if (h.kind() == Entry.Kind.DIR) {
        Files.setAttribute(p, "unix:mode", h.mode() | 0700, NOFOLLOW); // a read-only directory cannot be emptied
      }
      Files.delete(p);
    } catch (NoSuchFileException gone) {
      // already gone
    }
  }

  private void write(Entry w) throws IOException {
    Path target = safe(w.path());
    Path tmp = target.resolveSibling(".aegis-restore-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    try {
      blobs.copyTo(w.hash(), tmp);
      Files.setAttribute(tmp, "unix:mode", w.mode(), NOFOLLOW);
      times(tmp, w.mtime());
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  private static void times(Path p, long mtimeNanos) throws IOException {
    Files.getFileAttributeView(p, BasicFileAttributeView.class, NOFOLLOW)
        .setTimes(FileTime.from(mtimeNanos, TimeUnit.NANOSECONDS), null, null);
  }

  /**
   * The path of {@code rel} in the tree, after checking that its parent directory really is that directory: no
   * link on the way that could lead a write or delete outside the workspace.
   */
  private Path safe(String rel) throws IOException {
    Path p = root.resolve(rel);
    Path parent = p.getParent();
    if (!parent.equals(root) && !parent.toRealPath().equals(parent)) {
      throw new SnapshotException("refusing to restore " + p + ": a symbolic link leads its parent to "
          + parent.toRealPath(), false);
    }
    return p;
  }
}
