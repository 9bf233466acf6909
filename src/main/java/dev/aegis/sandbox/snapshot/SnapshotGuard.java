package dev.aegis.sandbox.snapshot;

import dev.aegis.chain.Chain;
import dev.aegis.chain.Decision;
import dev.aegis.chain.Direction;
import dev.aegis.chain.Exchange;
import dev.aegis.chain.Interceptor;
import dev.aegis.chain.Reply;
import dev.aegis.chain.Target;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.Response;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Snapshots a server's workspaces before each {@code tools/call} that may write, so the call can be rolled back
 * ({@code aegis rollback CALL_ID}).
 *
 * <ul>
 *   <li>Which calls: with {@code calls: writes}, a tool is skipped only when the server's last {@code tools/list}
 *       annotated it {@code readOnlyHint: true}; a tool never listed is snapshotted. With {@code calls: all}, every
 *       call.
 *   <li>Each call gets an id, recorded with its snapshots under the state directory, in the audit decision and in
 *       the result's {@code _meta} as {@code dev.aegis/call}.
 *   <li>A workspace over a limit: the call is refused ({@code onLimit: refuse}) or runs without a snapshot
 *       ({@code skip}, recorded as a warning). A snapshot that fails otherwise refuses the call (fail closed).
 *   <li>With {@code rollbackOnBlock}, a call whose result comes back as a {@link JsonRpcError#BLOCKED} error (a guard
 *       between this one and the server blocked the output after the call ran) is rolled back at once.
 * </ul>
 *
 * <p>Place it after the guards that refuse calls (so refused calls cost no snapshot) and before the ones that block
 * outputs (so it sees their verdict):
 *
 * <pre>{@code
 * Interceptor snapshots = SnapshotGuard.from(SnapshotConfig.parse(yaml.path("snapshots"), configDir), home);
 * new Gateway(config, List.of(access, snapshots, scan, pin), audit, log);
 * }</pre>
 */
public final class SnapshotGuard implements Interceptor {
  /** The {@code _meta} key of a call's id in its result. */
  public static final String META_KEY = "dev.aegis/call";

  private final SnapshotConfig config;
  private final Snapshots state;
  private final Clock clock;
  /** "server\0tool" → readOnlyHint from the server's last listing. */
  private final Map<String, Boolean> readOnly = new ConcurrentHashMap<>();

  public SnapshotGuard(SnapshotConfig config, Snapshots state, Clock clock) {
    this.config = config;
    this.state = state;
    this.clock = clock;
  }

  /** The guard for a configuration; state under {@code config.dir()}, else {@code aegisHome/snapshots}. */
  public static SnapshotGuard from(SnapshotConfig config, Path aegisHome) {
    Path dir = config.dir() != null ? config.dir() : aegisHome.resolve("snapshots");
    return new SnapshotGuard(config, new Snapshots(dir, Clock.systemUTC(), 1000), Clock.systemUTC());
  }

  public Snapshots state() {
    return state;
  }

  @Override
  public String name() {
    return "snapshot";
  }

  @Override
  public Reply intercept(Chain chain) {
    Exchange ex = chain.exchange();
    Message m = chain.message();
    Target target = ex.target();
    if (ex.direction() != Direction.TO_SERVER || !(m instanceof Request r) || target == null
        || !config.workspaces().containsKey(target.server())) {
      return chain.proceed(m);
    }
    if (r.method().equals("tools/list") && target.name() == null) {
      return chain.proceed(m).map(resp -> learn(target.server(), resp));
    }
    if (!r.method().equals("tools/call") || target.name() == null || !mayWrite(target)) {
      return chain.proceed(m);
    }
    String call = state.newCallId();
    List<Snapshots.Taken> taken = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    String what = target.server() + "/" + target.name();
    for (Path root : config.workspaces().get(target.server())) {
      try {
        Workspace ws = state.workspace(root, config.options());
        Workspace.Snapshot s = ws.snapshot();
        taken.add(new Snapshots.Taken(ws.id(), ws.root().toString(), s.seq()));
        notes.add(ws.root() + " #" + s.seq() + " (" + s.entries() + " entries, " + s.hashed() + " hashed, "
            + s.nanos() / 1_000_000 + " ms)");
      } catch (IOException e) {
        boolean skip = e instanceof SnapshotException se && se.limit() && config.skipOnLimit();
        if (!skip) {
          ex.record(new Decision(name(), "block", "call " + call + " " + what + ": no snapshot of " + root + ": "
              + e.getMessage()));
          return Reply.error(m, JsonRpcError.BLOCKED, "Blocked by Aegis: could not snapshot workspace " + root
              + " before calling " + what + ": " + e.getMessage());
        }
        ex.record(new Decision(name(), "warn", "call " + call + " " + what + " runs without a snapshot of " + root
            + ": " + e.getMessage()));
      }
    }
    try {
      state.record(new Snapshots.CallRecord(call, target.server(), target.name(), clock.instant(), taken));
    } catch (IOException e) {
      ex.record(new Decision(name(), "block", "call " + call + " " + what + ": cannot record it: " + e.getMessage()));
      return Reply.error(m, JsonRpcError.BLOCKED, "Blocked by Aegis: could not record call " + call + " for"
          + " rollback: " + e.getMessage());
    }
    ex.record(new Decision(name(), "snapshot", "call " + call + " " + what + ": " + String.join(", ", notes)));
    return chain.proceed(m).map(resp -> after(ex, call, what, resp));
  }

  private boolean mayWrite(Target target) {
    if (config.allCalls()) {
      return true;
    }
    Boolean ro = readOnly.get(target.server() + "\0" + target.name());
    return ro == null || !ro;
  }

  private Response learn(String server, Response resp) {
    if (!resp.isError()) {
      for (JsonNode tool : resp.result().path("tools")) {
        String name = tool.path("name").asString(null);
        if (name != null) {
          readOnly.put(server + "\0" + name, tool.path("annotations").path("readOnlyHint").asBoolean(false));
        }
      }
    }
    return resp;
  }

  private Response after(Exchange ex, String call, String what, Response resp) {
    if (resp.isError()) {
      if (config.rollbackOnBlock() && resp.error().code() == JsonRpcError.BLOCKED) {
        try {
          if (state.rollback(call, true).changes().values().stream().allMatch(Changes::isEmpty)) {
            return resp; // blocked before it could change anything (or it changed nothing)
          }
          Snapshots.Rollback rb = state.rollback(call, false);
          List<String> done = new ArrayList<>();
          rb.changes().forEach((root, c) -> done.add(root + ": " + c.summary()));
          ex.record(new Decision(name(), "rollback", "call " + call + " " + what + " was blocked after it ran;"
              + " rolled back " + String.join(", ", done) + " (undo: aegis rollback " + rb.undo() + ")"));
        } catch (IOException | RuntimeException e) {
          ex.record(new Decision(name(), "warn", "call " + call + " " + what + " was blocked after it ran, and"
              + " rolling it back failed: " + e.getMessage()));
        }
      }
      return resp;
    }
    if (!(resp.result() instanceof ObjectNode result)) {
      return resp;
    }
    ObjectNode copy = result.deepCopy();
    JsonNode meta = copy.get("_meta");
    ObjectNode m = meta instanceof ObjectNode o ? o : copy.putObject("_meta");
    m.put(META_KEY, call);
    return resp.withResult(copy);
  }
}
