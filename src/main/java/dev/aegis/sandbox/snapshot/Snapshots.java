package dev.aegis.sandbox.snapshot;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The snapshot state directory ({@code $AEGIS_HOME/snapshots}): one directory per workspace and {@code calls/}, a
 * record per tool call that names the snapshot taken before it, so a call can be rolled back by its id.
 *
 * <pre>{@code
 * Snapshots state = new Snapshots(home.resolve("snapshots"), Clock.systemUTC(), 1000);
 * Snapshots.Rollback r = state.rollback("20261124T235431Z-3fa9c2e1", false);
 * }</pre>
 */
public final class Snapshots {
  /** The snapshot of one workspace that a call record points to. */
  public record Taken(String workspace, String root, long seq) {}

  /** A tool call and the snapshots taken before it. */
  public record CallRecord(String call, String server, String tool, Instant time, List<Taken> snapshots) {
    public CallRecord {
      checkCallId(call);
      snapshots = List.copyOf(snapshots);
    }
  }

  /** What rolling back a call did per workspace root, and the call that undoes the rollback (null if none). */
  public record Rollback(CallRecord call, Map<String, Changes> changes, String undo) {}

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);
  private static final int MAX_ID = 64;

  private final Path dir;
  private final Path calls;
  private final Clock clock;
  private final int maxCalls;
  private final AtomicInteger sincePrune = new AtomicInteger();
  private final Map<Path, Workspace> workspaces = new ConcurrentHashMap<>();

  /** @param maxCalls call records kept (the oldest are deleted beyond it) */
  public Snapshots(Path dir, Clock clock, int maxCalls) {
    this.dir = dir.toAbsolutePath().normalize();
    this.calls = this.dir.resolve("calls");
    this.clock = clock;
    this.maxCalls = maxCalls;
  }

  public Path dir() {
    return dir;
  }

  /** The workspace at {@code root}, opened once per state directory. */
  public Workspace workspace(Path root, Workspace.Options options) throws IOException {
    Path key = root.toAbsolutePath().normalize();
    Workspace ws = workspaces.get(key);
    if (ws == null) {
      ws = Workspace.open(root, dir, options);
      Workspace raced = workspaces.putIfAbsent(key, ws);
      ws = raced != null ? raced : ws;
    }
    return ws;
  }

  /** A fresh call id: the UTC time and 8 random hex digits, so ids sort by time. */
  public String newCallId() {
    return STAMP.format(clock.instant()) + "-" + String.format("%08x", ThreadLocalRandom.current().nextInt());
  }

  /** @throws IllegalArgumentException unless the id is 1..64 of {@code A-Z a-z 0-9 . _ -}, not starting with a dot */
  public static void checkCallId(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_ID || id.charAt(0) == '.') {
      throw new IllegalArgumentException("invalid call id '" + id + "': 1 to 64 of A-Z a-z 0-9 . _ -");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
          || c == '-')) {
        throw new IllegalArgumentException("invalid call id '" + id + "': 1 to 64 of A-Z a-z 0-9 . _ -");
      }
    }
  }

  /** Writes a call record atomically; now and then deletes the oldest beyond the bound. */
  public void record(CallRecord r) throws IOException {
    Files.createDirectories(calls);
    ObjectNode n = Manifest.JSON.createObjectNode();
    n.put("call", r.call());
    n.put("server", r.server());
    n.put("tool", r.tool());
    n.put("time", r.time().toString());
    ArrayNode list = n.putArray("snapshots");
    for (Taken t : r.snapshots()) {
      list.addObject().put("workspace", t.workspace()).put("root", t.root()).put("seq", t.seq());
    }
    Path tmp = Files.createTempFile(calls, "tmp-", ".json");
    Files.write(tmp, Manifest.JSON.writeValueAsBytes(n));
    Files.move(tmp, calls.resolve(r.call() + ".json"), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    if (sincePrune.incrementAndGet() >= 64) {
      sincePrune.set(0);
      prune();
    }
  }

  /**
   * The record of a call.
   *
   * @throws SnapshotException when there is none
   * @throws IllegalArgumentException when the id is malformed
   */
  public CallRecord call(String id) throws IOException {
    checkCallId(id);
    Path file = calls.resolve(id + ".json");
    JsonNode n;
    try {
      n = Manifest.JSON.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new SnapshotException("no call " + id + " in " + calls + " (see `aegis rollback --list`)", false);
    } catch (JacksonException e) {
      throw new SnapshotException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    List<Taken> taken = new ArrayList<>();
    for (JsonNode t : n.path("snapshots")) {
      taken.add(new Taken(t.path("workspace").asString(""), t.path("root").asString(""), t.path("seq").asLong()));
    }
    try {
      return new CallRecord(n.path("call").asString(id), n.path("server").asString(""), n.path("tool").asString(""),
          Instant.parse(n.path("time").asString("1970-01-01T00:00:00Z")), taken);
    } catch (RuntimeException e) {
      throw new SnapshotException(file + ": " + e.getMessage(), false);
    }
  }

  /** The newest {@code limit} call records, newest first. */
  public List<CallRecord> recent(int limit) throws IOException {
    List<String> ids = ids();
    List<CallRecord> out = new ArrayList<>();
    for (int i = ids.size() - 1; i >= 0 && out.size() < limit; i--) {
      try {
        out.add(call(ids.get(i)));
      } catch (SnapshotException damaged) {
        // skipped: a damaged record does not hide the others
      }
    }
    return out;
  }

  /**
   * Restores every workspace of a call to the snapshot taken before it. Unless {@code dryRun}, each workspace is
   * snapshotted first and that is recorded as a call of its own, so the rollback can be rolled back.
   */
  public Rollback rollback(String callId, boolean dryRun) throws IOException {
    CallRecord r = call(callId);
    if (r.snapshots().isEmpty()) {
      throw new SnapshotException("call " + callId + " has no snapshot to restore", false);
    }
    List<Workspace> spaces = new ArrayList<>();
    for (Taken t : r.snapshots()) {
      Workspace ws = Workspace.openState(dir, t.workspace());
      ws.manifest(t.seq()); // fails before anything changed when a snapshot is gone
      spaces.add(ws);
    }
    String undo = null;
    if (!dryRun) {
      List<Taken> before = new ArrayList<>();
      for (Workspace ws : spaces) {
        before.add(new Taken(ws.id(), ws.root().toString(), ws.snapshot().seq()));
      }
      undo = newCallId();
      record(new CallRecord(undo, r.server(), "rollback " + callId, clock.instant(), before));
    }
    Map<String, Changes> changes = new java.util.LinkedHashMap<>();
    for (int i = 0; i < spaces.size(); i++) {
      changes.put(spaces.get(i).root().toString(), spaces.get(i).restore(r.snapshots().get(i).seq(), dryRun));
    }
    return new Rollback(r, changes, undo);
  }

  private List<String> ids() throws IOException {
    List<String> ids = new ArrayList<>();
    if (!Files.isDirectory(calls)) {
      return ids;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(calls)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (name.endsWith(".json") && !name.startsWith("tmp-")) {
          ids.add(name.substring(0, name.length() - 5));
        }
      }
    }
    ids.sort(null);
    return ids;
  }

  private void prune() throws IOException {
    List<String> ids = ids();
    for (int i = 0; i < ids.size() - maxCalls; i++) {
      Files.deleteIfExists(calls.resolve(ids.get(i) + ".json"));
    }
  }
}
