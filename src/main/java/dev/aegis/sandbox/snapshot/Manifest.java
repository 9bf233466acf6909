package dev.aegis.sandbox.snapshot;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One snapshot of a workspace: every entry with its blob hash or link target, sorted by path.
 *
 * <pre>{@code Manifest m = Manifest.read(dir.resolve("000000000042.json")); m.entries().size() }</pre>
 *
 * @param seq the snapshot's number in its workspace (1, 2, ...)
 * @param root the workspace's absolute path
 * @param started when the walk began, nanoseconds since the epoch: entries changed later than this minus the racy
 *     window are hashed again by the next snapshot
 * @param exclude the relative paths the snapshot left out, which a restore leaves alone
 */
public record Manifest(long seq, String root, long started, List<String> exclude, List<Entry> entries) {
  static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int FORMAT = 1;

  public Manifest {
    exclude = List.copyOf(exclude);
    entries = List.copyOf(entries);
  }

  static String fileName(long seq) {
    return String.format("%012d.json", seq);
  }

  /** The sequence number in a manifest file's name, or -1 when the name is not one. */
  static long seqOf(String fileName) {
    if (fileName.length() != 17 || !fileName.endsWith(".json")) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < 12; i++) {
      char c = fileName.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  /** Writes the manifest atomically and durably: a temporary file, forced to disk, then renamed into place. */
  void write(Path dir) throws IOException {
    ObjectNode o = JSON.createObjectNode();
    o.put("format", FORMAT);
    o.put("seq", seq);
    o.put("root", root);
    o.put("started", started);
    ArrayNode ex = o.putArray("exclude");
    exclude.forEach(ex::add);
    ArrayNode list = o.putArray("entries");
    for (Entry e : entries) {
      ObjectNode n = list.addObject();
      n.put("p", e.path());
      n.put("k", e.kind().code());
      if (e.kind() == Entry.Kind.FILE) {
        n.put("s", e.size());
        n.put("h", e.hash());
      }
      if (e.kind() == Entry.Kind.LINK) {
        n.put("l", e.link());
      } else {
        n.put("m", e.mode());
      }
      n.put("t", e.mtime());
      n.put("c", e.ctime());
      n.put("i", e.key());
    }
    byte[] bytes = JSON.writeValueAsBytes(o);
    Path tmp = dir.resolve("tmp-" + fileName(seq));
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(bytes));
      ch.force(false);
    }
    Files.move(tmp, dir.resolve(fileName(seq)), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static Manifest read(Path file) throws IOException {
    JsonNode o;
    try {
      o = JSON.readTree(Files.readAllBytes(file));
    } catch (JacksonException e) {
      throw new SnapshotException("snapshot manifest " + file + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (o.path("format").asInt(0) != FORMAT) {
      throw new SnapshotException("snapshot manifest " + file + " has an unknown format "
          + o.path("format").toString(), false);
    }
    List<Entry> entries = new ArrayList<>(o.path("entries").size());
    try {
      for (JsonNode n : o.path("entries")) {
        Entry.Kind kind = Entry.Kind.of(n.path("k").asString(""));
        String path = n.path("p").asString("");
        checkPath(path);
        String hash = kind == Entry.Kind.FILE ? n.path("h").asString(null) : null;
        if (kind == Entry.Kind.FILE && !BlobStore.isHash(hash)) {
          throw new IllegalArgumentException("file " + path + " has no valid hash");
        }
        entries.add(new Entry(path, kind, n.path("s").asLong(0), n.path("m").asInt(0), n.path("t").asLong(0),
            n.path("c").asLong(0), n.path("i").asString(""), hash,
            kind == Entry.Kind.LINK ? n.path("l").asString(null) : null));
      }
    } catch (IllegalArgumentException e) {
      throw new SnapshotException("snapshot manifest " + file + ": " + e.getMessage(), false);
    }
    List<String> exclude = new ArrayList<>();
    try {
      for (JsonNode e : o.path("exclude")) {
        checkPath(e.asString(""));
        exclude.add(e.asString());
      }
    } catch (IllegalArgumentException e) {
      throw new SnapshotException("snapshot manifest " + file + ": exclude: " + e.getMessage(), false);
    }
    return new Manifest(o.path("seq").asLong(), o.path("root").asString(""), o.path("started").asLong(), exclude,
        entries);
  }

  /**
   * A path a manifest may name: relative, without empty, {@code .} or {@code ..} segments (so a damaged manifest
   * cannot lead a restore outside the workspace).
   */
  static void checkPath(String path) {
    if (path.isEmpty() || path.startsWith("/") || path.endsWith("/") || path.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("invalid path '" + path + "'");
    }
    int from = 0;
    while (from <= path.length()) {
      int slash = path.indexOf('/', from);
      int end = slash < 0 ? path.length() : slash;
      String seg = path.substring(from, end);
      if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
        throw new IllegalArgumentException("invalid path '" + path + "'");
      }
      from = end + 1;
    }
  }
}
