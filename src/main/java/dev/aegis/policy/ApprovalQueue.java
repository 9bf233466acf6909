package dev.aegis.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Calls waiting for a person: a policy or flow rule said {@code ask}. Each waiting call is a file
 * {@code DIR/<id>.json} (who, which tool, the arguments, why, and a digest of the exact call); a person answers with
 * {@code aegis approve-call ID} or {@code --deny}, which writes {@code <id>.approved} or {@code <id>.denied} holding
 * that digest. An answer counts only for the call whose digest it names, only once, and only before the request
 * expires: it cannot be replayed for another call or later.
 *
 * <pre>{@code
 * ApprovalQueue q = new ApprovalQueue(home.resolve("approvals"), Duration.ofMinutes(2));
 * q.ask(digest, details).thenAccept(approved -> ...);
 * }</pre>
 */
public final class ApprovalQueue implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long MAX_ANSWER_BYTES = 4096;

  private final Path dir;
  private final Duration ttl;
  private final Clock clock;
  private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
  private final ScheduledExecutorService poller;

  /** The outcome of a request: approved, denied, or expired, with a line for the audit. */
  public record Answer(boolean approved, String why) {}

  private record Waiting(String digest, Instant expires, CompletableFuture<Answer> done) {}

  public ApprovalQueue(Path dir, Duration ttl) {
    this(dir, ttl, Clock.systemUTC());
  }

  ApprovalQueue(Path dir, Duration ttl, Clock clock) {
    this.dir = dir;
    this.ttl = ttl;
    this.clock = clock;
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "aegis-approvals");
      t.setDaemon(true);
      return t;
    });
    poller.scheduleWithFixedDelay(this::poll, 200, 200, TimeUnit.MILLISECONDS);
  }

  public Path dir() {
    return dir;
  }

  /**
   * Writes a request for the call with {@code digest} and completes when a person answers or it expires.
   *
   * @param details what the person sees (principal, server, tool, arguments, reason), written as given
   */
  public CompletableFuture<Answer> ask(String digest, ObjectNode details) {
    String id = HexFormat.of().formatHex(bytes(6));
    Instant expires = clock.instant().plus(ttl);
    ObjectNode file = details.deepCopy();
    file.put("id", id);
    file.put("digest", digest);
    file.put("expires", expires.toString());
    CompletableFuture<Answer> done = new CompletableFuture<>();
    try {
      createPrivate(dir);
      Path tmp = Files.createTempFile(dir, id, ".tmp");
      Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(file), StandardCharsets.UTF_8);
      Files.move(tmp, dir.resolve(id + ".json"), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      done.complete(new Answer(false, "cannot ask for approval: " + e.getMessage()));
      return done;
    }
    waiting.put(id, new Waiting(digest, expires, done));
    return done;
  }

  /**
   * The queue holds who called what with which arguments (secrets masked, the rest not): only the user may read it.
   * Temporary files are created owner-only by the JDK; the folder is made owner-only too where POSIX allows.
   */
  private static void createPrivate(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Files.createDirectories(dir);
    try {
      Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: its default access rules apply
    }
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private void poll() {
    Instant now = clock.instant();
    for (Map.Entry<String, Waiting> e : waiting.entrySet()) {
      String id = e.getKey();
      Waiting w = e.getValue();
      Answer a = answer(id, w.digest());
      if (a == null && now.isAfter(w.expires())) {
        a = new Answer(false, "nobody approved it within " + ttl.toSeconds() + " s");
      }
      if (a != null && waiting.remove(id, w)) {
        cleanUp(id);
        w.done().complete(a);
      }
    }
  }

  /** The answer file for {@code id}, if any, and whether it names this very call. */
  private Answer answer(String id, String digest) {
    for (String kind : List.of("approved", "denied")) {
      Path f = dir.resolve(id + "." + kind);
      try {
        if (!Files.exists(f)) {
          continue;
        }
        if (Files.size(f) > MAX_ANSWER_BYTES) {
          return new Answer(false, "the answer file is not one aegis approve-call writes");
        }
        JsonNode a = JSON.readTree(Files.readString(f, StandardCharsets.UTF_8));
        if (!digest.equals(a.path("digest").asString(""))) {
          return new Answer(false, "the answer was for another call (digest mismatch)");
        }
        String by = a.path("by").asString("someone");
        return kind.equals("approved") ? new Answer(true, "approved by " + by)
            : new Answer(false, "denied by " + by);
      } catch (IOException | RuntimeException ex) {
        return new Answer(false, "unreadable answer: " + ex.getMessage());
      }
    }
    return null;
  }

  private void cleanUp(String id) {
    for (String suffix : List.of(".json", ".approved", ".denied")) {
      try {
        Files.deleteIfExists(dir.resolve(id + suffix));
      } catch (IOException ignored) {
        // a leftover file names a call that is over; aegis approvals skips expired ones
      }
    }
  }

  /** The waiting requests in {@code dir}, oldest first, for {@code aegis approvals}. */
  public static List<JsonNode> pending(Path dir) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
      for (Path f : files) {
        try {
          JsonNode n = JSON.readTree(Files.readString(f, StandardCharsets.UTF_8));
          if (Instant.parse(n.path("expires").asString("1970-01-01T00:00:00Z")).isAfter(Instant.now())) {
            out.add(n);
          }
        } catch (RuntimeException e) {
          // a half-written or foreign file: not a request
        }
      }
    }
    out.sort((a, b) -> a.path("expires").asString("").compareTo(b.path("expires").asString("")));
    return out;
  }

  /** Answers request {@code id} (what {@code aegis approve-call} does): binds the answer to the request's digest. */
  public static void answer(Path dir, String id, boolean approve, String by) throws IOException {
    if (!id.matches("[0-9a-f]{12}")) {
      throw new IllegalArgumentException("'" + id + "' is not a request id (12 hex characters, see aegis approvals)");
    }
    Path request = dir.resolve(id + ".json");
    if (!Files.exists(request)) {
      throw new IllegalArgumentException("no waiting request " + id + " (it was answered, expired, or never existed)");
    }
    JsonNode r = JSON.readTree(Files.readString(request, StandardCharsets.UTF_8));
    ObjectNode a = JSON.createObjectNode();
    a.put("digest", r.path("digest").asString(""));
    a.put("by", by);
    a.put("at", Instant.now().toString());
    Path tmp = Files.createTempFile(dir, id, ".tmp");
    Files.writeString(tmp, a.toString(), StandardCharsets.UTF_8);
    Files.move(tmp, dir.resolve(id + (approve ? ".approved" : ".denied")), StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void close() {
    poller.shutdownNow();
    waiting.values().forEach(w -> w.done().complete(new Answer(false, "the gateway is shutting down")));
  }
}
