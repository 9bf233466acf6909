package dev.aegis.sandbox.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.chain.Decision;
import dev.aegis.chain.ExchangeListener;
import dev.aegis.chain.Interceptor;
import dev.aegis.chain.Reply;
import dev.aegis.config.GatewayConfig;
import dev.aegis.config.ServerConfig;
import dev.aegis.gateway.Gateway;
import dev.aegis.gateway.GatewayLog;
import dev.aegis.protocol.JsonRpcError;
import dev.aegis.protocol.Message;
import dev.aegis.protocol.Notification;
import dev.aegis.protocol.Request;
import dev.aegis.protocol.RequestId;
import dev.aegis.protocol.Response;
import dev.aegis.transport.ServerSession;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The guard in a real gateway with a real child server ({@link FileToolServer}, a separate JVM working in the
 * workspace): a writing call is snapshotted and rolled back by its id; a read-only one costs nothing; a call whose
 * result a later guard blocks is rolled back at once; a workspace over its limit refuses the call.
 */
class SnapshotGuardTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir
  Path tmp;

  private final java.util.concurrent.LinkedBlockingQueue<Decision> decisions =
      new java.util.concurrent.LinkedBlockingQueue<>();
  private final List<Decision> seen = new CopyOnWriteArrayList<>();

  /**
   * Waits for the audit listener's decision that matches: the listener runs after the reply is sent, so a check right
   * after the reply could miss it.
   */
  private Decision awaitDecision(java.util.function.Predicate<Decision> match) throws InterruptedException {
    for (Decision d : seen) {
      if (match.test(d)) {
        return d;
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      Decision d = decisions.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (d == null) {
        break;
      }
      seen.add(d);
      if (match.test(d)) {
        return d;
      }
    }
    throw new AssertionError("no matching decision among " + seen);
  }

  /** A host in this process: sends requests into a gateway session, waits (with a deadline) for the answers. */
  private static final class Host implements AutoCloseable {
    private final Map<RequestId, CompletableFuture<Response>> waiting = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(1);
    private final ServerSession session;

    Host(Gateway gw) {
      session = gw.open("stdio", (Message m, RequestId related) -> {
        if (m instanceof Response r) {
          waiting.computeIfAbsent(r.id(), k -> new CompletableFuture<>()).complete(r);
        }
      });
    }

    Response request(String method, String params) throws Exception {
      RequestId id = RequestId.of(ids.getAndIncrement());
      CompletableFuture<Response> f = waiting.computeIfAbsent(id, k -> new CompletableFuture<>());
      session.receive(Request.of(id, method, (ObjectNode) JSON.readTree(params)));
      return f.get(30, TimeUnit.SECONDS);
    }

    Response call(String tool, String args) throws Exception {
      return request("tools/call", "{\"name\":\"" + tool + "\",\"arguments\":" + args + "}");
    }

    void start() throws Exception {
      request("initialize", "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
          + "\"clientInfo\":{\"name\":\"test\",\"version\":\"1\"}}");
      session.receive(Notification.of("notifications/initialized", null));
      request("tools/list", "{}");
    }

    @Override
    public void close() {
      session.close();
    }
  }

  private Path workspace() throws Exception {
    Path ws = Files.createDirectories(tmp.resolve("ws"));
    Files.writeString(ws.resolve("keep.txt"), "keep");
    Files.writeString(ws.resolve("edit.txt"), "before");
    Files.createDirectories(ws.resolve("docs"));
    Files.writeString(ws.resolve("docs/old.md"), "# old");
    Files.writeString(ws.resolve("remove.txt"), "to be deleted");
    return ws;
  }

  private Gateway gateway(Path ws, String yaml, Interceptor... after) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    ServerConfig server = new ServerConfig("files", "files", new ServerConfig.Stdio(List.of(java,
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        FileToolServer.class.getName()), Map.of(), ws.toString()));
    SnapshotConfig config = SnapshotConfig.parse(new tools.jackson.dataformat.yaml.YAMLMapper().readTree(yaml), tmp);
    SnapshotGuard guard = new SnapshotGuard(config, new Snapshots(tmp.resolve("state"), Clock.systemUTC(), 100),
        Clock.systemUTC());
    List<Interceptor> guards = new java.util.ArrayList<>(List.of(guard));
    guards.addAll(List.of(after));
    ExchangeListener listener = (exchange, reply, nanos) -> decisions.addAll(exchange.decisions());
    // the file server changes the workspace (its cwd): sandboxed with that folder read-write; degrade where bubblewrap
    // is missing, as the automatic default would
    dev.aegis.config.SandboxConfig sandbox = new dev.aegis.config.SandboxConfig(Map.of("ws",
        new dev.aegis.config.SandboxConfig.Profile(false, List.of(), List.of(ws.toString()), List.of(), "none",
            dev.aegis.config.SandboxConfig.Limits.DEFAULT)), dev.aegis.config.SandboxConfig.AUTO, true,
        Map.of("files", "ws"));
    return new Gateway(GatewayConfig.of(List.of(server)).withSandbox(sandbox), guards, listener,
        new GatewayLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false));
  }

  private static final String CHANGES = "{\"ops\":["
      + "{\"op\":\"write\",\"path\":\"edit.txt\",\"text\":\"after\"},"
      + "{\"op\":\"write\",\"path\":\"new/created.txt\",\"text\":\"new\"},"
      + "{\"op\":\"delete\",\"path\":\"remove.txt\"},"
      + "{\"op\":\"rename\",\"path\":\"docs/old.md\",\"to\":\"renamed.md\"},"
      + "{\"op\":\"chmod\",\"path\":\"keep.txt\",\"mode\":\"rwx------\"}]}";

  @Test
  void aWritingCallIsSnapshottedAndRolledBackByItsId() throws Exception {
    Path ws = workspace();
    Map<String, String> before = Trees.listing(ws);
    try (Gateway gw = gateway(ws, "workspaces: {files: [ws]}"); Host host = new Host(gw)) {
      host.start();
      Response read = host.call("files__read", "{\"path\":\"keep.txt\"}");
      assertThat(read.result().path("_meta").has(SnapshotGuard.META_KEY)).as("read-only: no snapshot").isFalse();

      Response r = host.call("files__apply", CHANGES);
      assertThat(r.result().path("content").get(0).path("text").asString()).isEqualTo("applied 5 operations");
      String call = r.result().path("_meta").path(SnapshotGuard.META_KEY).asString();
      assertThat(call).isNotEmpty();
      assertThat(Trees.listing(ws)).isNotEqualTo(before);
      assertThat(awaitDecision(d -> d.reason().contains("call " + call)).reason()).contains("files/apply");

      Snapshots state = new Snapshots(tmp.resolve("state"), Clock.systemUTC(), 100);
      assertThat(state.recent(10)).extracting(Snapshots.CallRecord::call).containsExactly(call);
      Snapshots.Rollback rb = state.rollback(call, false);
      assertThat(Trees.listing(ws)).isEqualTo(before);
      Changes c = rb.changes().get(ws.toRealPath().toString());
      assertThat(c.renamed()).containsExactly(new Changes.Rename("docs/old.md", "renamed.md"));
      assertThat(c.created()).contains("new", "new/created.txt");
      assertThat(c.deleted()).containsExactly("remove.txt");
      assertThat(c.modified()).containsExactlyInAnyOrder("edit.txt", "keep.txt");

      state.rollback(rb.undo(), false); // the rollback itself can be undone
      assertThat(Files.readString(ws.resolve("edit.txt"))).isEqualTo("after");
    }
  }

  @Test
  void aCallWhoseResultIsBlockedAfterItRanIsRolledBackAtOnce() throws Exception {
    Path ws = workspace();
    Map<String, String> before = Trees.listing(ws);
    Interceptor outputBlocker = chain -> !chain.exchange().method().equals("tools/call")
        ? chain.proceed(chain.message())
        : chain.proceed(chain.message()).map(resp -> resp.isError() ? resp
            : Response.error(((Request) chain.message()).id(), JsonRpcError.of(JsonRpcError.BLOCKED, "bad output")));
    try (Gateway gw = gateway(ws, "{workspaces: {files: [ws]}, calls: all}", outputBlocker);
        Host host = new Host(gw)) {
      host.start();
      Response r = host.call("files__apply", CHANGES);
      assertThat(r.error().message()).isEqualTo("bad output");
      assertThat(Trees.listing(ws)).isEqualTo(before);
      assertThat(awaitDecision(d -> d.effect().equals("rollback")).reason()).contains("files/apply")
          .contains("2 created").contains("1 renamed");
    }
  }

  @Test
  void aWorkspaceOverItsLimitRefusesTheCallBeforeTheServerSeesIt() throws Exception {
    Path ws = workspace();
    Map<String, String> before = Trees.listing(ws);
    try (Gateway gw = gateway(ws, "{workspaces: {files: [ws]}, maxFiles: 2}"); Host host = new Host(gw)) {
      host.start();
      Response r = host.call("files__apply", CHANGES);
      assertThat(r.isError()).isTrue();
      assertThat(r.error().message()).contains("could not snapshot workspace").contains("maxFiles");
      assertThat(Trees.listing(ws)).isEqualTo(before);
    }
  }

  @Test
  void withSkipOnLimitTheCallRunsWithoutASnapshotAndAWarning() throws Exception {
    Path ws = workspace();
    try (Gateway gw = gateway(ws, "{workspaces: {files: [ws]}, maxFiles: 2, onLimit: skip}");
        Host host = new Host(gw)) {
      host.start();
      Response r = host.call("files__apply", CHANGES);
      assertThat(r.isError()).isFalse();
      assertThat(Files.readString(ws.resolve("edit.txt"))).isEqualTo("after");
      assertThat(awaitDecision(d -> d.effect().equals("warn")).reason()).contains("runs without a snapshot");
    }
  }

  @Test
  void aCallRefusedBeforeItReachedTheServerIsNotRolledBack() throws Exception {
    Path ws = workspace();
    Interceptor refuser = chain -> chain.exchange().method().equals("tools/call")
        ? Reply.error(chain.message(), JsonRpcError.BLOCKED, "held")
        : chain.proceed(chain.message());
    try (Gateway gw = gateway(ws, "{workspaces: {files: [ws]}}", refuser); Host host = new Host(gw)) {
      host.start();
      Response r = host.call("files__apply", CHANGES);
      assertThat(r.error().message()).isEqualTo("held");
      awaitDecision(d -> d.effect().equals("snapshot"));
      decisions.drainTo(seen); // the exchange's decisions arrive together
      assertThat(seen).noneMatch(d -> d.effect().equals("rollback"));
      Snapshots state = new Snapshots(tmp.resolve("state"), Clock.systemUTC(), 100);
      assertThat(state.recent(10)).hasSize(1).allMatch(c -> c.tool().equals("apply"));
    }
  }
}
