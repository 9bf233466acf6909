package dev.aegis.sandbox.snapshot;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Walks a workspace without following links: one {@code lstat} per entry, never a read. Entries come out sorted by
 * path, so a directory always comes before what it contains.
 */
final class Tree {
  private static final String ATTRIBUTES = "unix:mode,ino,dev,size,lastModifiedTime,ctime";
  private static final int TYPE_MASK = 0170000;
  private static final int DIR = 0040000;
  private static final int REGULAR = 0100000;
  private static final int SYMLINK = 0120000;

  private final Path root;
  private final List<String> exclude;

  /**
   * @param exclude relative paths left out with everything under them (never snapshotted, never touched by restore)
   */
  Tree(Path root, List<String> exclude) {
    this.root = root;
    this.exclude = List.copyOf(exclude);
  }

  /** Bounds on what one walk may record; exceeding one stops the walk with a {@link SnapshotException}. */
  record Bounds(int maxFiles, long maxBytes) {
    static final Bounds NONE = new Bounds(Integer.MAX_VALUE, Long.MAX_VALUE);
  }

  List<Entry> list(Bounds bounds) throws IOException {
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      throw new SnapshotException("workspace " + root + " is not a directory (or is a symbolic link)", false);
    }
    List<Entry> out = new ArrayList<>();
    long[] bytes = {0};
    walk(root, "", bounds, out, bytes);
    out.sort(Comparator.comparing(Entry::path));
    return out;
  }

  boolean excluded(String rel) {
    for (String e : exclude) {
      if (rel.equals(e) || rel.startsWith(e) && rel.length() > e.length() && rel.charAt(e.length()) == '/') {
        return true;
      }
    }
    return false;
  }

  private void walk(Path dir, String rel, Bounds bounds, List<Entry> out, long[] bytes) throws IOException {
    List<Entry> dirs = new ArrayList<>();
    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
      for (Path child : children) {
        String name = child.getFileName().toString();
        String path = rel.isEmpty() ? name : rel + "/" + name;
        if (excluded(path)) {
          continue;
        }
        Entry e = stat(child, path);
        if (e == null) {
          continue;
        }
        out.add(e);
        if (out.size() > bounds.maxFiles()) {
          throw new SnapshotException("workspace " + root + " has more than " + bounds.maxFiles()
              + " entries (limit maxFiles); raise the limit or exclude paths", true);
        }
        bytes[0] += e.size();
        if (e.kind() == Entry.Kind.FILE && bytes[0] > bounds.maxBytes()) {
          throw new SnapshotException("workspace " + root + " holds more than " + bounds.maxBytes()
              + " bytes in files (limit maxBytes); raise the limit or exclude paths", true);
        }
        if (e.kind() == Entry.Kind.DIR) {
          dirs.add(e);
        }
      }
    } catch (NoSuchFileException gone) {
      return; // removed while we walked: it is not part of the tree
    }
    for (Entry d : dirs) {
      walk(root.resolve(d.path()), d.path(), bounds, out, bytes);
    }
  }

  /** The entry at {@code path} without its hash, or null when it is gone or is not a file, directory or link. */
  Entry stat(Path file, String path) throws IOException {
    Map<String, Object> a;
    try {
      a = Files.readAttributes(file, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException gone) {
      return null;
    }
    int mode = (Integer) a.get("mode");
    String key = a.get("dev") + ":" + a.get("ino");
    long mtime = nanos((FileTime) a.get("lastModifiedTime"));
    long ctime = nanos((FileTime) a.get("ctime"));
    return switch (mode & TYPE_MASK) {
      case REGULAR -> new Entry(path, Entry.Kind.FILE, (Long) a.get("size"), mode & 07777, mtime, ctime, key, null,
          null);
      case DIR -> new Entry(path, Entry.Kind.DIR, 0, mode & 07777, mtime, ctime, key, null, null);
      case SYMLINK -> {
        String target;
        try {
          target = Files.readSymbolicLink(file).toString();
        } catch (NoSuchFileException gone) {
          yield null;
        }
        yield new Entry(path, Entry.Kind.LINK, 0, 0, mtime, ctime, key, null, target);
      }
      default -> null;
    };
  }

  static long nanos(FileTime t) {
    return t.to(TimeUnit.NANOSECONDS);
  }
}
