package dev.aegis.sandbox.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * File contents by SHA-256: {@code blobs/ab/abcdef...}. A blob is written to a temporary file and renamed into place,
 * so a name always holds its whole contents; readers check the hash again.
 */
final class BlobStore {
  private static final int SMALL = 256 * 1024;
  private final Path dir;
  /** Fan-out directories known to exist (all access is under the workspace's lock). */
  private final Set<Path> made = new java.util.HashSet<>();

  BlobStore(Path dir) {
    this.dir = dir;
  }

  static boolean isHash(String s) {
    if (s == null || s.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = s.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return false;
      }
    }
    return true;
  }

  Path path(String hash) {
    return dir.resolve(hash.substring(0, 2)).resolve(hash);
  }

  /**
   * Stores the contents of {@code file} (never following a link) and returns their hash. What is stored is exactly
   * what was hashed, even when the file changes meanwhile.
   */
  String put(Path file, long sizeHint) throws IOException {
    MessageDigest sha = sha256();
    if (sizeHint <= SMALL) {
      byte[] bytes;
      try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
        bytes = in.readNBytes(SMALL + 1);
        if (bytes.length > SMALL) {
          return putLarge(file);
        }
      }
      String hash = HexFormat.of().formatHex(sha.digest(bytes));
      Path target = path(hash);
      if (!Files.exists(target)) {
        Path tmp = temp(target);
        try {
          Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
          Files.deleteIfExists(tmp);
          throw e;
        }
        publish(tmp, target);
      }
      return hash;
    }
    return putLarge(file);
  }

  private String putLarge(Path file) throws IOException {
    MessageDigest sha = sha256();
    Path tmp = temp(dir.resolve("00").resolve("x"));
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
        OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
        out.write(buf, 0, n);
      }
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    String hash = HexFormat.of().formatHex(sha.digest());
    Path target = path(hash);
    if (Files.exists(target)) {
      Files.delete(tmp);
    } else {
      publish(tmp, target);
    }
    return hash;
  }

  /**
   * A fresh temporary name beside {@code target} (the same directory, so the rename that publishes it is cheap and
   * atomic); collection deletes leftovers.
   */
  private Path temp(Path target) throws IOException {
    Path sub = target.getParent();
    if (!made.contains(sub)) {
      Files.createDirectories(sub);
      made.add(sub);
    }
    return sub.resolve("tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".part");
  }

  private static void publish(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException raced) {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Copies a blob to {@code out} (a new file that must not exist yet) and checks its hash on the way.
   *
   * @throws SnapshotException when the blob is missing or its contents do not match its name
   */
  void copyTo(String hash, Path out) throws IOException {
    MessageDigest sha = sha256();
    try (InputStream in = Files.newInputStream(path(hash));
        OutputStream o = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS)) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
        o.write(buf, 0, n);
      }
    } catch (NoSuchFileException e) {
      throw new SnapshotException("blob " + hash + " is missing from " + dir + " (state damaged or collected)",
          false);
    }
    if (!HexFormat.of().formatHex(sha.digest()).equals(hash)) {
      throw new SnapshotException("blob " + hash + " in " + dir + " does not match its hash (state damaged)", false);
    }
  }

  /** Hashes a file in the tree without storing it (never following a link). */
  static String hash(Path file) throws IOException {
    MessageDigest sha = sha256();
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /** Deletes every blob not in {@code live} and leftover temporary files; returns how many blobs went. */
  int collect(Set<String> live) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    int removed = 0;
    try (DirectoryStream<Path> top = Files.newDirectoryStream(dir)) {
      for (Path sub : top) {
        String name = sub.getFileName().toString();
        if (name.startsWith("tmp-")) {
          Files.deleteIfExists(sub);
          continue;
        }
        if (!Files.isDirectory(sub, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        try (DirectoryStream<Path> blobs = Files.newDirectoryStream(sub)) {
          for (Path blob : blobs) {
            String b = blob.getFileName().toString();
            if (b.startsWith("tmp-")) {
              Files.deleteIfExists(blob);
            } else if (!live.contains(b)) {
              Files.deleteIfExists(blob);
              removed++;
            }
          }
        }
      }
    }
    return removed;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
