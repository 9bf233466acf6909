package dev.aegis.sandbox.snapshot;

/**
 * One entry of a workspace as a snapshot recorded it.
 *
 * <pre>{@code new Entry("src/a.txt", Entry.Kind.FILE, 12, 0644, mtime, ctime, "2049:1234", "9f86d0...", null) }</pre>
 *
 * @param path relative to the workspace root, {@code /}-separated, never empty
 * @param kind file, directory or symbolic link
 * @param size bytes (files), else 0
 * @param mode permission bits, {@code 07777} (0 for links)
 * @param mtime modification time, nanoseconds since the epoch
 * @param ctime status change time, nanoseconds since the epoch (a process cannot set it, so it catches forged mtimes)
 * @param key device and inode, {@code dev:ino}
 * @param hash SHA-256 of the contents in hex (files in a snapshot; null in a listing not yet hashed), else null
 * @param link the link's target as written (links), else null
 */
public record Entry(String path, Kind kind, long size, int mode, long mtime, long ctime, String key, String hash,
    String link) {

  /** What an entry is. Other kinds (sockets, fifos, devices) are not recorded and never touched. */
  public enum Kind {
    FILE("f"), DIR("d"), LINK("l");

    private final String code;

    Kind(String code) {
      this.code = code;
    }

    String code() {
      return code;
    }

    static Kind of(String code) {
      for (Kind k : values()) {
        if (k.code.equals(code)) {
          return k;
        }
      }
      throw new IllegalArgumentException("unknown entry kind: " + code);
    }
  }

  public Entry {
    if (path == null || path.isEmpty() || kind == null || key == null) {
      throw new IllegalArgumentException("entry needs path, kind and key");
    }
    if (kind == Kind.LINK && link == null) {
      throw new IllegalArgumentException("link entry " + path + " needs a target");
    }
  }

  /** True when the stat fields a cheap comparison trusts are the same (the contents may still differ). */
  boolean sameStat(Entry other) {
    return kind == other.kind && size == other.size && mtime == other.mtime && ctime == other.ctime
        && key.equals(other.key);
  }

  Entry withHash(String h) {
    return new Entry(path, kind, size, mode, mtime, ctime, key, h, link);
  }
}
