package dev.aegis.sandbox.snapshot;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Test helpers: a full recursive listing of a tree (type, mode, mtime, SHA-256 or link target), never following
 * links.
 */
final class Trees {
  private Trees() {}

  static Map<String, String> listing(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    list(root, "", out);
    return out;
  }

  private static void list(Path dir, String rel, Map<String, String> out) throws IOException {
    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
      for (Path c : children) {
        String path = rel.isEmpty() ? c.getFileName().toString() : rel + "/" + c.getFileName();
        int mode = (Integer) Files.getAttribute(c, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if (Files.isSymbolicLink(c)) {
          out.put(path, "link -> " + Files.readSymbolicLink(c));
        } else if (Files.isDirectory(c, LinkOption.NOFOLLOW_LINKS)) {
          out.put(path, "dir " + Integer.toOctalString(mode & 07777) + " " + mtime(c));
          list(c, path, out);
        } else {
          out.put(path, "file " + Integer.toOctalString(mode & 07777) + " " + mtime(c) + " "
              + HexFormat.of().formatHex(BlobStore.sha256().digest(Files.readAllBytes(c))));
        }
      }
    }
  }

  private static long mtime(Path p) throws IOException {
    return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).to(TimeUnit.NANOSECONDS);
  }

  static void setMtime(Path p, long nanos) throws IOException {
    Files.setLastModifiedTime(p, FileTime.from(nanos, TimeUnit.NANOSECONDS));
  }

  /** Options whose clock runs a minute ahead, so files written by a test are past the racy window. */
  static Workspace.Options settled(int maxFiles, long maxBytes, int keep, List<String> exclude) {
    return new Workspace.Options(maxFiles, maxBytes, keep, exclude, Duration.ofSeconds(2),
        Clock.offset(Clock.systemUTC(), Duration.ofMinutes(1)));
  }

  static long blobCount(Path state) throws IOException {
    try (var s = Files.walk(state)) {
      return s.filter(p -> p.getParent().getParent() != null
          && p.getParent().getParent().getFileName().toString().equals("blobs") && Files.isRegularFile(p)).count();
    }
  }
}
